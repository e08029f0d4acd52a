"""Interactive tools: pure logic, widget builders and static-page renderers."""
