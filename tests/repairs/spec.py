"""The state machine of the product specification (§3.1), written out literally.

Tests hold `repairs.states` to these tables and generate their cases from them, never from the
code's own table: a wrong edit of the code's table fails here instead of changing code and test
together. Change this file only when the specification changes.
"""

# state, French label, final
STATES = [
    ("declared", "Déclaré", False),
    ("awaiting_device", "En attente de l’appareil", False),
    ("diagnosing", "En diagnostic", False),
    ("awaiting_parts", "En attente de pièces", False),
    ("in_repair", "En réparation", False),
    ("at_manufacturer", "Chez le constructeur (garantie)", False),
    ("ready_for_return", "Prêt à restituer", False),
    ("in_transit", "Expédié", False),
    ("returned", "Restitué", True),
    ("closed_no_fault", "Clos sans intervention", True),
    ("cancelled", "Annulé", True),
]

# transition: (from, to, who)
TRANSITIONS = {
    "request_device": ({"declared"}, "awaiting_device", {"technician", "staff"}),
    "receive_device": ({"awaiting_device"}, "diagnosing", {"technician", "staff"}),
    "start_diagnosis": ({"declared"}, "diagnosing", {"technician"}),
    "cancel": ({"declared", "awaiting_device"}, "cancelled", {"reporter", "staff", "technician"}),
    "close_no_fault": ({"diagnosing"}, "closed_no_fault", {"technician"}),
    "start_repair": ({"diagnosing", "awaiting_parts"}, "in_repair", {"technician"}),
    "order_parts": ({"diagnosing", "in_repair"}, "awaiting_parts", {"technician"}),
    "send_to_manufacturer": ({"diagnosing", "in_repair"}, "at_manufacturer", {"technician"}),
    "receive_from_manufacturer": ({"at_manufacturer"}, "in_repair", {"technician"}),
    "finish_repair": ({"in_repair"}, "ready_for_return", {"technician"}),
    "swap": ({"diagnosing", "in_repair", "at_manufacturer"}, "ready_for_return", {"technician"}),
    # §3.2: "a refusal returns the laptop unrepaired" (the family refused the quote).
    "return_unrepaired": ({"diagnosing", "awaiting_parts"}, "ready_for_return", {"technician"}),
    "ship": ({"ready_for_return"}, "in_transit", {"technician"}),
    "deliver": ({"in_transit"}, "returned", {"technician", "staff"}),
    "hand_over": ({"ready_for_return"}, "returned", {"technician", "staff"}),
}

# The optional fields of the transition endpoint (§6) each transition reads; every one takes a note.
FIELDS = {
    "request_device": {"note"},
    "receive_device": {"note", "coverage", "coverage_reason"},
    "start_diagnosis": {"note", "coverage", "coverage_reason"},
    "cancel": {"note"},
    "close_no_fault": {"note"},
    "start_repair": {"note", "coverage", "coverage_reason"},
    "order_parts": {"note", "parts"},
    "send_to_manufacturer": {"note", "rma_number", "coverage", "coverage_reason"},
    "receive_from_manufacturer": {"note"},
    "finish_repair": {"note", "reimage"},
    "swap": {"note", "replacement", "police_report", "reimage", "coverage", "coverage_reason"},
    "return_unrepaired": {"note"},
    "ship": {"note", "carrier", "tracking_number"},
    "deliver": {"note"},
    "hand_over": {"note"},
}
