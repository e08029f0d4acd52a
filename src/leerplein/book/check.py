def check_repository(root):
    return []

def format_findings(f, root):
    return ""
