"""Trust: who may sign, and whether a signature is anchored in the force's PKI.

  roots.py      trust roots from `--trust` / BWVDISCLOSE_TRUST; a ValidationContext
  paths.py      TrustChecker: path to a root, valid at signing time, key usage, role
  profile.py    the identity profile: name, role, rank, number in a certificate
  keys.py       identities in encrypted PKCS#12 files; pyHanko signers for them
  token.py      identities on a PKCS#11 token (smartcard, HSM, SoftHSM2)
  ca.py         the TEST CA (`keys ca`, `keys create --ca`)
  statement.py  the statements a sign-off or an approval signs, and their signatures
  signoff.py    sign-offs: who must sign, making one, checking a log's sign-offs
  approval.py   policy approvals beside a policy folder; checking a log's decisions
  tsa.py        timestamping settings: the TSA URL (`--tsa`, BWVDISCLOSE_TSA), roots, timeout
  revocation.py revocation at signing: a path to a root, OCSP/CRL fetched live, hard fail
  archive.py    sealing at PAdES B-LTA (timestamp, DSS, document timestamp); `extend`
  ltv.py        offline long-term validation of a sealed record at the time it proves
  timestamps.py RFC 3161 tokens and revocation data for sign-offs, checked offline

Nothing here imports the CLI.
"""
