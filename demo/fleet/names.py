"""Reference data of the demo region: départements and their cities, the establishments
pinned at every scale, technician zones, laptop models and lots, master images, French names."""

from __future__ import annotations

from dataclasses import dataclass

from demo.fleet.rows import DeviceModelRow


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    establishments: int  # at region scale: roughly in proportion to population, rural ones a bit more
    cities: tuple[tuple[str, int], ...]  # (city, weight)


def cities(spec: str) -> tuple[tuple[str, int], ...]:
    """'Foix 3, Pamiers 4' → (('Foix', 3), ('Pamiers', 4))."""
    pairs = []
    for item in spec.split(","):
        city, weight = item.strip().rsplit(" ", 1)
        pairs.append((city, int(weight)))
    return tuple(pairs)


DEPARTEMENTS = (
    Departement(
        "09", "Ariège", 12, cities("Foix 3, Pamiers 4, Saint-Girons 2, Lavelanet 1, Mirepoix 1, Tarascon-sur-Ariège 1")
    ),
    Departement(
        "11",
        "Aude",
        24,
        cities("Carcassonne 6, Narbonne 6, Castelnaudary 2, Limoux 2, Lézignan-Corbières 2, Quillan 1"),
    ),
    Departement(
        "12",
        "Aveyron",
        20,
        cities(
            "Rodez 5, Millau 3, Villefranche-de-Rouergue 2, Decazeville 2, Saint-Affrique 1, Espalion 1, "
            "Onet-le-Château 1"
        ),
    ),
    Departement(
        "30",
        "Gard",
        44,
        cities(
            "Nîmes 10, Alès 5, Bagnols-sur-Cèze 2, Beaucaire 1, Uzès 1, Le Vigan 1, Vauvert 1, Pont-Saint-Esprit 1, "
            "Saint-Gilles 1"
        ),
    ),
    Departement(
        "31",
        "Haute-Garonne",
        80,
        cities(
            "Toulouse 40, Colomiers 3, Muret 3, Blagnac 2, Tournefeuille 2, Saint-Gaudens 3, Balma 1, "
            "Castanet-Tolosan 2, Villefranche-de-Lauragais 1, Fronton 1, Revel 1, L'Union 1, "
            "Saint-Orens-de-Gameville 1, Cugnaux 1, Ramonville-Saint-Agne 1, Auzeville-Tolosane 1, Fonsorbes 1, "
            "Grenade 1"
        ),
    ),
    Departement(
        "32", "Gers", 13, cities("Auch 5, Condom 2, Lectoure 1, Mirande 1, L'Isle-Jourdain 1, Eauze 1, Nogaro 1")
    ),
    Departement(
        "34",
        "Hérault",
        68,
        cities(
            "Montpellier 30, Béziers 9, Sète 4, Lunel 3, Agde 2, Lodève 1, Pézenas 2, Castelnau-le-Lez 2, "
            "Clermont-l'Hérault 1, Frontignan 1, Ganges 1, Bédarieux 1, Saint-Clément-de-Rivière 1, Pérols 1, "
            "Mauguio 1"
        ),
    ),
    Departement("46", "Lot", 12, cities("Cahors 5, Figeac 3, Gourdon 1, Souillac 1, Saint-Céré 1, Gramat 1")),
    Departement("48", "Lozère", 7, cities("Mende 4, Marvejols 1, Saint-Chély-d'Apcher 1, Florac 1, Langogne 1")),
    Departement(
        "65",
        "Hautes-Pyrénées",
        16,
        cities("Tarbes 7, Lourdes 2, Bagnères-de-Bigorre 2, Lannemezan 2, Vic-en-Bigorre 1, Argelès-Gazost 1"),
    ),
    Departement(
        "66",
        "Pyrénées-Orientales",
        28,
        cities(
            "Perpignan 14, Céret 2, Prades 2, Argelès-sur-Mer 1, Rivesaltes 1, Font-Romeu-Odeillo-Via 1, "
            "Canet-en-Roussillon 1, Thuir 1, Saint-Estève 1"
        ),
    ),
    Departement(
        "81",
        "Tarn",
        27,
        cities("Albi 6, Castres 6, Gaillac 2, Lavaur 2, Graulhet 1, Mazamet 2, Carmaux 1, Rabastens 1"),
    ),
    Departement(
        "82",
        "Tarn-et-Garonne",
        19,
        cities(
            "Montauban 8, Castelsarrasin 2, Moissac 2, Caussade 1, Valence 1, Beaumont-de-Lomagne 1, Nègrepelisse 1"
        ),
    ),
)

# Pinned establishments open their département's list, in this order; `small` keeps exactly these.
# The first of 31 is the demo establishment E, the first of 34 holds demo-student-other's device.
PINNED: dict[str, tuple[tuple[str, str, str, str, bool], ...]] = {
    # (name, city, kind, sector, "lycée numérique")
    "09": (("Lycée Gabriel-Fauré", "Foix", "lgt", "public", False),),
    "11": (("Lycée Paul-Sabatier", "Carcassonne", "lgt", "public", True),),
    "12": (("Lycée Ferdinand-Foch", "Rodez", "lgt", "public", False),),
    "30": (
        ("Lycée Alphonse-Daudet", "Nîmes", "lgt", "public", False),
        ("Lycée polyvalent Jean-Baptiste-Dumas", "Alès", "polyvalent", "public", True),
    ),
    "31": (
        ("Lycée Pierre-de-Fermat", "Toulouse", "lgt", "public", True),
        ("Lycée agricole d'Auzeville", "Auzeville-Tolosane", "agricole", "public", False),
        ("Lycée professionnel Déodat-de-Séverac", "Toulouse", "lp", "public", False),
    ),
    "32": (("Lycée Le Garros", "Auch", "lgt", "public", False),),
    "34": (
        ("Lycée Joffre", "Montpellier", "lgt", "public", True),
        ("Lycée professionnel Jules-Ferry", "Montpellier", "lp", "public", False),
    ),
    "46": (("Lycée Clément-Marot", "Cahors", "lgt", "public", False),),
    "48": (("Lycée Chaptal", "Mende", "lgt", "public", False),),
    "65": (("Lycée Théophile-Gautier", "Tarbes", "lgt", "public", False),),
    "66": (
        ("Lycée François-Arago", "Perpignan", "lgt", "public", False),
        ("Lycée privé Notre-Dame-de-Bon-Secours", "Perpignan", "lgt", "private", False),
    ),
    "81": (("Lycée Lapérouse", "Albi", "lgt", "public", True),),
    "82": (("Lycée Antoine-Bourdelle", "Montauban", "lgt", "public", False),),
}

# Technician zones: one per département, two where there are many establishments.
# (code, name, technicians)
ZONES: tuple[tuple[str, str, int], ...] = (
    ("z09-ariege", "Ariège", 2),
    ("z11-aude", "Aude", 3),
    ("z12-aveyron", "Aveyron", 3),
    ("z30-nimes", "Gard – Nîmes et Petite Camargue", 3),
    ("z30-ales", "Gard – Alès et Cévennes", 2),
    ("z31-nord", "Haute-Garonne – Toulouse Nord", 6),
    ("z31-sud", "Haute-Garonne – Toulouse Sud et Comminges", 5),
    ("z32-gers", "Gers", 2),
    ("z34-montpellier", "Hérault – Montpellier et Lunellois", 5),
    ("z34-beziers", "Hérault – Béziers, Sète et Biterrois", 4),
    ("z46-lot", "Lot", 2),
    ("z48-lozere", "Lozère", 1),
    ("z65-bigorre", "Hautes-Pyrénées", 3),
    ("z66-roussillon", "Pyrénées-Orientales", 3),
    ("z81-tarn", "Tarn", 3),
    ("z82-tarn-et-garonne", "Tarn-et-Garonne", 3),
)
DEPOT_TECHNICIANS = 10
ZONE_SPLITS: dict[str, tuple[str, str, frozenset[str]]] = {
    # département: (zone of the listed cities, zone of the others, listed cities)
    "30": ("z30-ales", "z30-nimes", frozenset({"Alès", "Bagnols-sur-Cèze", "Le Vigan", "Pont-Saint-Esprit", "Uzès"})),
    "31": (
        "z31-sud",
        "z31-nord",
        frozenset(
            {
                "Muret",
                "Saint-Gaudens",
                "Castanet-Tolosan",
                "Ramonville-Saint-Agne",
                "Revel",
                "Villefranche-de-Lauragais",
                "Cugnaux",
                "Fonsorbes",
                "Saint-Orens-de-Gameville",
                "Auzeville-Tolosane",
                "Tournefeuille",
            }
        ),
    ),
    "34": (
        "z34-beziers",
        "z34-montpellier",
        frozenset({"Béziers", "Sète", "Agde", "Pézenas", "Bédarieux", "Frontignan"}),
    ),
}
# The big city of a split département is shared: its establishments alternate between both zones.
SHARED_CITIES = {"30": "Nîmes", "31": "Toulouse", "34": "Montpellier"}

# Education laptops of the kind regions buy; each summer's lot is one or two of them.
MODELS = (
    DeviceModelRow("Dell", "Latitude 3140", 36, ""),
    DeviceModelRow("Acer", "TravelMate B3 Spin 11", 24, "NXKF3EF"),
    DeviceModelRow("Lenovo", "300w Yoga Gen 4", 24, "PF"),
    DeviceModelRow("HP", "ProBook 440 G10", 36, "5CG"),
    DeviceModelRow("ASUS", "ExpertBook BR1104F", 48, "R"),
    DeviceModelRow("Lenovo", "ThinkPad L13 Gen 5", 48, "PW"),
)
LOTS: dict[int, tuple[tuple[str, str], ...]] = {
    2023: (("Dell", "Latitude 3140"), ("Acer", "TravelMate B3 Spin 11")),
    2024: (("Lenovo", "300w Yoga Gen 4"), ("HP", "ProBook 440 G10")),
    2025: (("HP", "ProBook 440 G10"), ("ASUS", "ExpertBook BR1104F")),
    2026: (("Lenovo", "ThinkPad L13 Gen 5"), ("Dell", "Latitude 3140")),
}
ACCIDENTAL_PROVIDERS = ("Assurécole", "Protect Campus")

# "Mon cartable numérique": one image a summer, and a mid-year fix in 2025. (version, month, day,
# programs in Toulouse, programs in Montpellier); Montpellier releases a few days later.
IMAGES = (
    ("2023.08", 2023, 8, 470, 462),
    ("2024.08", 2024, 8, 481, 476),
    ("2025.02", 2025, 2, 484, 479),
    ("2025.08", 2025, 8, 495, 493),
    ("2026.08", 2026, 8, 503, 511),
)
IMAGE_NAME = "Mon cartable numérique"


def words(text: str) -> tuple[str, ...]:
    """Names separated by blanks; an underscore stands for a blank inside a name (Da_Silva)."""
    return tuple(word.replace("_", " ") for word in text.split())


PEOPLE_HONOURED = words(
    "Jean-Jaurès Victor-Hugo Marie-Curie Jules-Ferry Louis-Pasteur Jean-Moulin Simone-Veil Condorcet Voltaire "
    "Rabelais Montaigne Molière Jean-Mermoz Saint-Exupéry Clément-Ader Toulouse-Lautrec Champollion "
    "Marcelin-Berthelot Henri-Matisse Georges-Brassens Paul-Valéry Jean-Vilar Camille-Claudel Olympe-de-Gouges "
    "Germaine-Tillion Lucie-Aubrac Gaston-Fébus Jean-Monnet Alexandre-Dumas Albert-Camus Frédéric-Mistral "
    "Joséphine-Baker Louise-Michel George-Sand Émile-Zola Jules-Verne Aristide-Maillol Ingres Marc-Bloch "
    "Stéphane-Hessel Raymond-Naves Jean-Zay Pierre-Paul-Riquet Gustave-Eiffel Irène-Joliot-Curie Nelson-Mandela "
    "Hélène-Boucher Vincent-Auriol Pierre-Bourdieu Claude-Nougaro Charles-Trenet Joseph-Delteil Jean-Lurçat "
    "Édouard-Branly Jean-Rostand André-Malraux Pierre-Mendès-France Clémence-Isaure Armand-Barbès Jean-Pierre-Vernant "
    "Françoise-Dolto Gisèle-Halimi Rosa-Parks Antoine-Bourdelle Bertrand-de-Born Jacques-Prévert Guillaume-Apollinaire "
    "Paul-Éluard Louis-Aragon Max-Rouquette Arthur-Rimbaud Charles-Baudelaire Étienne-Dolet Paul-Riquet "
    "Louis-Armand Mariette-Pouget Roland-Garros Marie-Marvingt Maurice-Ravel Paul-Cézanne Jean-Giono"
)
PRIVATE_PATRONS = words(
    "Saint-Joseph Sainte-Marie Notre-Dame Saint-Louis Jeanne-d'Arc La-Salle Sainte-Famille Saint-François "
    "Sacré-Cœur Saint-Jean Saint-Pierre La-Providence Sainte-Thérèse Saint-Vincent-de-Paul Bon-Sauveur"
)

STUDENT_FIRST_NAMES = words(
    "Léa Manon Chloé Camille Emma Inès Jade Sarah Lina Louise Zoé Lola Clara Anaïs Océane Lucie Maëlys Julie "
    "Mathilde Juliette Eva Romane Ambre Nina Yasmine Alice Noémie Margaux Élise Salomé Jeanne Agathe Rose Maya "
    "Lucas Hugo Nathan Enzo Louis Théo Mathis Tom Léo Gabriel Raphaël Arthur Jules Maxime Thomas Clément Antoine "
    "Noah Adam Ethan Rayan Mohamed Yanis Baptiste Paul Mathéo Axel Évan Timéo Valentin Alexandre Quentin Romain "
    "Sacha Nolan Kylian Ilyes Marius Loïc Jean-Baptiste Pierre-Louis Anne-Sophie"
)
ADULT_FIRST_NAMES = words(
    "Isabelle Nathalie Sandrine Valérie Sophie Christine Stéphanie Céline Véronique Catherine Laurence Sylvie "
    "Caroline Aurélie Émilie Delphine Karine Virginie Hélène Patricia Philippe Laurent Stéphane Christophe Nicolas "
    "Frédéric Olivier Sébastien David Éric Pascal Thierry Jérôme Julien Vincent Franck Cédric Didier Mickaël Karim"
)
LAST_NAMES = words(
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia "
    "David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez "
    "Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Perrin Morin Mathieu Clément Gauthier Dumont "
    "Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly Roger Roche Roy "
    "Noël Meyer Lucas Meunier Perez Marchand Dufour Blanchard Barbier Brun Dumas Brunet Schmitt Leroux Colin "
    "Fernandez Renard Arnaud Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard "
    "Lacroix Fabre Dupuis Olivier Rodriguez Hubert Rivière Guillaume Rey Moulin Gonzalez Berger Fleury Julien "
    "Benoît Marty Pons Dupuy Bousquet Cazals Rouquette Castel Sabatier Teyssier Puech Alibert Carrière Delmas "
    "Bonnafous Salvat Cabrol Maurel Pujol Soulié Lacombe Calmettes Combes Bories Assié Gasc Fourcade Estève "
    "Benhamou Haddad Benali Diallo Traoré Ferreira Lafon Mas Costes Barthe Rigal Vialaret "
    "Da_Silva Dos_Santos Le_Gall N'Diaye Ben_Ahmed"
)
