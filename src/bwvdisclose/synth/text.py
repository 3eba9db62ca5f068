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
# What the decision maker did about each condition (any ID not named gets the generic note).
CONDITION_NOTES = {
    "consider_context_statement": "Context statement agreed with the press office.",
    "explanatory_context_required": "Press statement explains why and how force was used.",
    "stills_only": "Stills chosen by the SIO; video not released.",
    "amplification_warning": "Digital team briefed; comments monitored for 72 hours.",
    "iopc_referral_due": "Referred to the IOPC by PSD the same day.",
    "family_liaison": "Family told by the family liaison officer; no inquest date set.",
    "seek_victim_views": "Victim contacted by the officer in the case; views recorded.",
    "victim_objection_weighed": "Objection weighed with legal services; reasons recorded.",
    "equality_duty": "Due regard recorded: community engagement plan agreed.",
    "review_date_required": "Review booked with the Digital Media Unit.",
}
GENERIC_NOTE = "Done as the policy asks; see the case file."
RECIPIENTS = (
    ("Met Police YouTube channel", "https://www.youtube.com/@metpoliceuk"),
    ("Met Police X account", "https://x.com/metpoliceuk"),
    ("BBC London newsroom (on request)", ""),
    ("Evening Standard (on request)", ""),
    ("Crimestoppers appeal page", "https://crimestoppers-uk.org/"),
)
WITHDRAWALS = (
    "Review: no longer needed for the purpose it was released for.",
    "The suspect was identified; the appeal has ended.",
    "Charge brought; withdrawn to avoid prejudice to the trial.",
    "The family asked for it to be taken down; granted on review.",
)
