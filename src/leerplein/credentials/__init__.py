"""The microcredential: an Open Badges 3.0 credential (W3C Verifiable Credential, JWT-VC,
signed with the institute's Ed25519 key) for everyone who passes, baked into a PNG, with a
signed Bitstring Status List for revocation, an Open Badges 2.0 export for edubadges, and
offline verification. Signing, baking and verifying are done by openbadgeslib."""
