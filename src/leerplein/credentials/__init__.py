"""The course badge: an Open Badges 3.0 credential (W3C Verifiable Credential, JWT-VC, signed
with the institute's Ed25519 key, achievement type Course) for everyone who passes, baked into a
PNG, with a signed Bitstring Status List for revocation, an Open Badges 2.0 export for edubadges,
offline verification (`badge verify`) and a verification page for employers. The issuer comes
from instituut.yml. Signing and baking are done by openbadgeslib, the page's checks by jose."""
