"""The fleet: establishments, laptops, master images, warranties, and who holds what — in
`places` (académies, zones, establishments), `fleet` (models, images, devices, coverages) and
`people` (roles, profiles, assignments, campaigns).

Invariants that matter are database constraints, so they hold for imports, the admin, raw SQL and
concurrent writers alike: one current image per académie, one open assignment per device and per
student, serial numbers stored upper-case, académie consistent with département.
"""

from devices.models.fleet import (
    DAMAGE_CATEGORIES,
    Device,
    DeviceModel,
    FaultCategory,
    MasterImage,
    WarrantyCoverage,
    normalise_serial,
)
from devices.models.people import (
    Assignment,
    DistributionCampaign,
    Profile,
    Role,
    school_year_validator,
)
from devices.models.places import (
    ACADEMIE_DEPARTEMENTS,
    DEPARTEMENT_ACADEMIE,
    Academie,
    Departement,
    Establishment,
    Zone,
    academie_for_departement,
    uai_validator,
)

__all__ = [
    "ACADEMIE_DEPARTEMENTS",
    "DAMAGE_CATEGORIES",
    "DEPARTEMENT_ACADEMIE",
    "Academie",
    "Assignment",
    "Departement",
    "Device",
    "DeviceModel",
    "DistributionCampaign",
    "Establishment",
    "FaultCategory",
    "MasterImage",
    "Profile",
    "Role",
    "WarrantyCoverage",
    "Zone",
    "academie_for_departement",
    "normalise_serial",
    "school_year_validator",
    "uai_validator",
]
