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

Nothing here imports the CLI.
"""
