"""The French texts of the demo tickets: descriptions, parts, notes, carriers, RMA numbers."""

from devices.models import FaultCategory as C

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    C.SCREEN: (
        "L'écran reste noir au démarrage, mais on entend le ventilateur.",
        "Des lignes verticales de couleur apparaissent sur l'écran.",
        "L'affichage clignote quand on bouge l'écran.",
        "L'écran tactile ne réagit plus, ni au stylet ni aux doigts.",
        "Une tache sombre s'agrandit au milieu de l'écran.",
        "La luminosité ne se règle plus, l'écran est très sombre.",
        "Plein de pixels morts sur la moitié droite de l'écran.",
    ),
    C.KEYBOARD: (
        "La touche E ne fonctionne plus.",
        "Plusieurs touches de la rangée du haut ne répondent plus.",
        "Le pavé tactile ne réagit plus, je dois utiliser une souris.",
        "Le clic gauche du pavé tactile reste enfoncé.",
        "La barre d'espace se bloque une fois sur deux.",
        "Le clavier tape des lettres tout seul.",
        "Les touches Entrée et Retour arrière ne marchent plus.",
    ),
    C.BATTERY: (
        "Le chargeur ne charge plus.",
        "La batterie ne tient plus qu'une demi-heure.",
        "L'ordinateur s'éteint dès qu'on débranche le chargeur.",
        "Le voyant de charge ne s'allume plus.",
        "La batterie a gonflé, le boîtier se soulève sous le pavé tactile.",
        "Le câble du chargeur est abîmé près de la prise.",
        "La batterie reste bloquée à 0 % même branchée toute la nuit.",
    ),
    C.BOOT_SOFTWARE: (
        "L'ordinateur reste bloqué sur le logo au démarrage.",
        "Écran bleu à chaque démarrage.",
        "Windows demande une clé de récupération BitLocker.",
        "L'ordinateur redémarre en boucle après une mise à jour.",
        "Les logiciels du cartable numérique ne s'ouvrent plus.",
        "Impossible d'ouvrir ma session, le mot de passe est refusé.",
        "L'ordinateur met dix minutes à démarrer et se fige souvent.",
    ),
    C.NETWORK: (
        "Le Wi-Fi ne se connecte plus au réseau du lycée.",
        "Aucun réseau Wi-Fi n'est détecté.",
        "La connexion Wi-Fi se coupe toutes les cinq minutes.",
        "Le Wi-Fi fonctionne à la maison mais pas au lycée.",
        "L'icône Wi-Fi a disparu de la barre des tâches.",
    ),
    C.ACCIDENTAL_DAMAGE: (
        "L'ordinateur est tombé de mon sac, l'écran est fissuré.",
        "La charnière gauche est cassée, l'écran ne tient plus ouvert.",
        "Le coin du boîtier est enfoncé après une chute.",
        "Une touche a été arrachée et le clavier est abîmé.",
        "Le connecteur de charge est cassé, la prise ne tient plus.",
        "L'écran est fêlé après une chute dans l'escalier.",
    ),
    C.LIQUID_DAMAGE: (
        "J'ai renversé un verre d'eau sur le clavier.",
        "Du jus de fruit a coulé sur le clavier, plusieurs touches collent.",
        "L'ordinateur a pris la pluie dans mon sac et ne s'allume plus.",
        "Du café renversé sur le clavier, l'ordinateur s'est éteint.",
    ),
    C.THEFT_LOSS: (
        "Ordinateur volé dans le bus scolaire. Plainte déposée.",
        "Ordinateur volé au domicile lors d'un cambriolage.",
        "Ordinateur oublié dans le train, pas retrouvé aux objets trouvés.",
        "Sac volé au gymnase avec l'ordinateur dedans.",
        "Ordinateur perdu pendant une sortie scolaire.",
    ),
    C.OTHER: (
        "Le son ne sort plus des haut-parleurs.",
        "La webcam ne fonctionne plus en visio.",
        "Le port USB gauche ne reconnaît plus les clés.",
        "Le ventilateur fait un bruit très fort.",
        "Le micro ne fonctionne plus en cours de langues.",
        "L'ordinateur chauffe beaucoup sous le clavier.",
    ),
}
PARTS: dict[str, tuple[str, ...]] = {
    C.SCREEN: ("Dalle LCD {model}", "Nappe d'écran {model}"),
    C.KEYBOARD: ("Clavier AZERTY {model}", "Pavé tactile {model}"),
    C.BATTERY: ("Batterie {model}", "Chargeur USB-C 65 W"),
    C.BOOT_SOFTWARE: ("SSD NVMe 256 Go",),
    C.NETWORK: ("Carte Wi-Fi {model}",),
    C.ACCIDENTAL_DAMAGE: (
        "Coque d'écran {model}",
        "Charnières {model}",
        "Dalle LCD {model}",
        "Connecteur de charge {model}",
    ),
    C.LIQUID_DAMAGE: ("Carte mère {model}", "Clavier AZERTY {model}"),
    C.OTHER: ("Haut-parleurs {model}", "Webcam {model}", "Ventilateur {model}", "Carte fille USB {model}"),
}
NOTES: dict[str, tuple[str, ...]] = {
    # Most transitions go without a word; "" is drawn as often as it appears.
    "request_device": (
        "Merci de déposer l'ordinateur au CDI avec son chargeur.",
        "À déposer auprès du référent numérique.",
        "",
        "",
    ),
    "receive_device": ("Déposé au CDI.", "Déposé à la vie scolaire avec le chargeur.", "", ""),
    "start_diagnosis": ("", "", "", "Pris en charge à l'atelier."),
    "cancel": (
        "Le problème a disparu après un redémarrage.",
        "Déclaré en double.",
        "Finalement, tout fonctionne.",
        "L'élève a quitté l'établissement.",
        "",
    ),
    "close_no_fault": (
        "Aucun défaut constaté : tests matériels complets OK.",
        "Problème non reproduit après une journée de tests.",
        "Profil Wi-Fi du lycée réinstallé, connexion vérifiée avec l'élève.",
        "Mot de passe réinitialisé, la session s'ouvre.",
        "Pilotes mis à jour, tout fonctionne.",
        "Chargeur testé sur banc : il fonctionne, la prise de la salle était en cause.",
    ),
    "order_parts": ("", "", "Délai annoncé : une semaine.", "Commande passée chez le distributeur."),
    "send_to_manufacturer": (
        "Prise en charge sous garantie constructeur.",
        "Enlèvement par le transporteur demain.",
        "",
    ),
    "receive_from_manufacturer": ("Retour du constructeur, réparé.", "Carte mère remplacée par le constructeur.", ""),
    "finish_repair": ("Réparé et testé.", "", "", "Testé une heure en charge, RAS."),
    "swap": ("Remplacé par un ordinateur du parc de secours.",),
    "ship": ("Renvoyé au domicile de l'élève.", ""),
    "deliver": ("Livré, signé par la famille.", ""),
    "hand_over": ("Remis à l'élève.", "", ""),
    "start_repair": ("",),
}
CARRIERS = ("Colissimo", "Chronopost", "DPD")
RMA_PREFIXES = {"Dell": "SR", "Lenovo": "RMA-L", "HP": "HPRMA", "ASUS": "RMA-AS", "Acer": "RMA-AC"}
