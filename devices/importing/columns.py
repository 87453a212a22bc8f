"""The columns of each import and the header titles understood for them (compared folded: case,
accents and punctuation aside, so "N° de série", "numero_serie" and "Numéro de série" all match)."""

from devices.importing.reading import Column

UAI_ALIASES = ("uai", "uai etablissement", "code uai", "rne", "etablissement uai", "uai de l etablissement")

ESTABLISHMENT_COLUMNS = (
    Column("uai", True, ("code uai", "rne", "code rne", "numero uai", "uai etablissement")),
    Column(
        "name",
        True,
        ("nom", "appellation", "appellation officielle", "nom etablissement", "nom de l etablissement", "denomination"),
    ),
    Column("city", True, ("ville", "commune", "localite")),
    Column("departement", True, ("dept", "dpt", "dep", "code departement", "department")),
    Column("kind", False, ("type", "type etablissement", "type d etablissement", "nature")),
    Column("sector", False, ("secteur", "public prive", "secteur public prive")),
    Column("lycee_numerique", False, ("label lycee numerique",)),
    Column("zone", False, ("zone technicien", "zone technique", "zone sav", "code zone")),
)
IMAGE_COLUMNS = (
    Column("academie", True, ("academy", "academie de")),
    Column("name", True, ("nom", "nom de l image", "libelle", "image")),
    Column("version", True, ("numero de version", "n de version", "version de l image", "version image")),
    Column(
        "released_on",
        True,
        ("date de sortie", "sortie le", "date de publication", "publie le", "date de diffusion", "release date"),
    ),
    Column(
        "program_count",
        False,
        (
            "nombre de logiciels",
            "nombre de programmes",
            "nb logiciels",
            "nb de logiciels",
            "nb programmes",
            "logiciels",
            "programmes",
            "programs",
        ),
    ),
    Column("current", False, ("courante", "actuelle", "image courante", "en cours", "is current")),
)
DEVICE_COLUMNS = (
    Column(
        "serial_number",
        True,
        (
            "serial",
            "numero de serie",
            "numero serie",
            "num serie",
            "num de serie",
            "n de serie",
            "n serie",
            "no de serie",
            "no serie",
            "sn",
            "serial no",
        ),
    ),
    Column(
        "asset_tag",
        True,
        (
            "numero d inventaire",
            "numero inventaire",
            "num inventaire",
            "n d inventaire",
            "n inventaire",
            "no d inventaire",
            "no inventaire",
            "inventaire",
            "code inventaire",
            "etiquette",
        ),
    ),
    Column("manufacturer", True, ("fabricant", "constructeur", "marque")),
    Column("model", True, ("modele", "device model")),
    Column("establishment_uai", True, UAI_ALIASES),
    Column("delivered_on", True, ("date de livraison", "date livraison", "livre le", "livraison", "delivery date")),
    Column(
        "warranty_end",
        True,
        ("fin de garantie", "date de fin de garantie", "fin garantie", "date fin garantie", "garantie jusqu au"),
    ),
    Column(
        "image_version",
        False,
        ("version image", "version de l image", "master", "version master", "version du master", "image"),
    ),
    Column("status", False, ("statut", "etat")),
)
STUDENT_COLUMNS = (
    Column(
        "student_id",
        True,
        (
            "identifiant",
            "id",
            "id eleve",
            "identifiant eleve",
            "numero eleve",
            "num eleve",
            "n eleve",
            "no eleve",
            "numero interne",
            "identifiant etablissement",
            "matricule",
            "student number",
        ),
    ),
    Column("last_name", True, ("nom", "nom de famille", "nom eleve", "nom d usage", "surname")),
    Column("first_name", True, ("prenom", "prenom eleve", "premier prenom", "given name")),
    Column("class", True, ("classe", "division", "class name")),
    Column("establishment_uai", True, UAI_ALIASES),
    Column("email", False, ("courriel", "e mail", "mail", "mel", "adresse mail", "adresse e mail", "courriel eleve")),
    Column("phone", False, ("telephone", "tel", "portable", "telephone portable", "tel portable", "mobile")),
    Column(
        "guardian_email",
        False,
        (
            "email responsable",
            "e mail responsable",
            "courriel responsable",
            "mail responsable",
            "email parent",
            "courriel parent",
            "email responsable legal",
            "courriel responsable legal",
            "courriel du responsable legal",
            "email representant legal",
            "courriel representant legal",
        ),
    ),
)
