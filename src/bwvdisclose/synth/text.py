"""The words of synthetic cases: people, places and reasons. All invented."""

from __future__ import annotations

from bwvdisclose.case import Actor

DEMO_PASSPHRASE = b"bwvdisclose demo keys - TEST ONLY"

OFFICERS = (
    Actor(name="PS Priya Shah", role="duty officer", number="PS 2231"),
    Actor(name="PC Tom Okafor", role="duty officer", number="PC 5120"),
    Actor(name="PS Ewan Reid", role="duty officer", number="PS 1187"),
    Actor(name="PC Hannah Lee", role="duty officer", number="PC 6044"),
    Actor(name="PS Marta Nowak", role="duty officer", number="PS 3392"),
)
# (name, role, rank, number): the demo signing identities, made once per key folder.
SIGNERS = (
    ("Ana Diaz", "decision_maker", "Superintendent", "S 4711"),
    ("Robert Hale", "decision_maker", "Chief Inspector", "CI 3020"),
    ("Grace Mensah", "legal", "Solicitor", "L 0815"),
    ("Daniel Byrne", "data_protection", "Data Protection Officer", "DPO 0042"),
)
LOCATIONS = (
    "Oxford Street, London W1", "Brixton Road, London SW9", "Whitehall, London SW1",
    "Mare Street, London E8", "Tottenham High Road, London N17", "Peckham Rye, London SE15",
    "Edgware Road, London W2", "Ilford Lane, Ilford IG1", "Croydon High Street, CR0",
    "Wembley Park, HA9", "Stratford Broadway, London E15", "Notting Hill, London W11",
)  # fmt: skip
RATIONALES = (
    "Seen on the BWV clip at 02:14.",
    "Confirmed with the officer in the case.",
    "From the community tension assessment.",
    "Checked against the custody record.",
    "Seen on the second clip; corroborated by CCTV.",
    "From the neighbourhood team's briefing.",
    "Per the SIO's note on the investigation file.",
    "Reviewed with the media team.",
)
CHANGE_REASONS = (
    "Second viewing of the clips shows otherwise.",
    "The tension assessment was updated.",
    "Correcting a keying error.",
    "New information from the officer in the case.",
)
AGREEMENTS = (
    "Agree with the recommendation for the reasons given.",
    "Recommendation accepted; conditions to be applied by the media team.",
    "",
)
DEPARTURES = (
    "Gold command judged the risk of disorder higher than the assessment shows.",
    "The family asked us not to release; their wishes outweigh the benefit here.",
    "A fuller picture is already public; releasing adds nothing and risks the trial.",
    "Publication is needed to correct a widely shared false account of the arrest.",
)
