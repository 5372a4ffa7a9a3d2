"""Word lists of the fictional City of Riverton: names, streets, services and channels."""

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "William", "Sophia", "James", "Isabella",
    "Benjamin", "Mia", "Lucas", "Charlotte", "Henry", "Amelia", "Alexander", "Harper",
    "Mason", "Evelyn", "Michael", "Abigail", "Ethan", "Emily", "Daniel", "Ella", "Jacob",
    "Elizabeth", "Logan", "Camila", "Jackson", "Luna", "Levi", "Sofia", "Sebastian", "Avery",
    "Mateo", "Mila", "Jack", "Aria", "Owen", "Scarlett", "Theodore", "Penelope", "Aiden",
    "Layla", "Samuel", "Chloe", "Joseph", "Victoria", "John", "Madison", "David", "Eleanor",
    "Wyatt", "Grace", "Matthew", "Nora", "Luke", "Riley", "Asher", "Zoey", "Carter",
    "Hannah", "Julian", "Hazel", "Grayson", "Lily", "Leo", "Ellie", "Jayden", "Violet",
    "Zoë", "José", "François", "Chloé", "Renée", "Zoë", "Hélène", "André", "Agnès",
]
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
    "Roberts", "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin",
    "Lavoie", "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron",
    "Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier",
    "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin",
]
STREETS = [
    "Maple", "Oak", "Elm", "Cedar", "Pine", "Birch", "Willow", "Spruce", "Ash", "Walnut",
    "King", "Queen", "Main", "Church", "Mill", "River", "Lake", "Park", "Hill", "Bridge",
    "Market", "Station", "Victoria", "Albert", "Wellington", "Bank", "Water", "Front",
    "George", "Dundas", "Bloor", "College", "Harbour", "Meadow", "Orchard", "Forest",
    "Sunset", "Highland", "Riverside", "Brookside", "Fairview", "Glenwood", "Kingsway",
    "Lakeshore", "Centre", "Union", "Garden", "Prospect", "Summit", "Valley", "Grove",
    "Heritage", "Colonel By", "Laurier", "Somerset", "Rideau", "Elgin", "Bay", "Bronson",
    "Carling",
]
STREET_SUFFIXES = ["St", "Ave", "Rd", "Dr", "Blvd", "Cres", "Way", "Crt"]
COMPANY_WORDS = ["Riverton", "Northern", "Maple Leaf", "Capital", "Heritage", "Summit",
                 "Lakeside", "Greenfield", "Keystone", "Pioneer"]
COMPANY_KINDS = ["Builders Inc.", "Construction Ltd.", "Homes Inc.", "Developments Corp.",
                 "Renovations Ltd.", "Contracting Inc."]

# category -> (weight, [(service type, median hours to close, description)])
SERVICE_CATEGORIES = {
    "Roads": (18, [("Pothole", 72, "Large pothole in the curb lane"),
                   ("Streetlight Out", 120, "Streetlight not working"),
                   ("Sidewalk Repair", 480, "Broken sidewalk slab, tripping hazard")]),
    "Waste": (24, [("Missed Garbage Pickup", 30, "Garbage not collected on scheduled day"),
                   ("Bulky Item Pickup", 96, "Request to collect a sofa and mattress"),
                   ("Illegal Dumping", 60, "Bags of household waste dumped on boulevard")]),
    "Parks": (10, [("Tree Maintenance", 480, "Dead branch hanging over the sidewalk"),
                   ("Park Maintenance", 240, "Broken swing in the playground"),
                   ("Graffiti Removal", 168, "Graffiti on the park washroom wall")]),
    "Water": (9, [("Water Main Break", 6, "Water bubbling up through the road"),
                  ("Low Water Pressure", 48, "Very low water pressure since this morning"),
                  ("Hydrant Leak", 24, "Fire hydrant leaking steadily")]),
    "By-law": (14, [("Noise Complaint", 36, "Loud music late at night"),
                    ("Parking Complaint", 12, "Vehicle blocking a driveway"),
                    ("Property Standards", 336, "Overgrown yard and debris on property")]),
    "Animal Services": (6, [("Stray Animal", 8, "Stray dog wandering near the school"),
                            ("Dead Animal Pickup", 20, "Dead raccoon on the road")]),
    "Snow": (12, [("Road Plowing", 14, "Street not plowed after the storm"),
                  ("Sidewalk Snow Clearing", 30, "Sidewalk not cleared, icy")]),
    "Transit": (7, [("Bus Shelter Damage", 168, "Broken glass panel at the bus shelter"),
                    ("Transit Complaint", 120, "Bus did not stop at the stop")]),
}

# Ward weights: downtown and suburbs are busier than the rural greenbelt.
WARD_WEIGHTS = [8, 7, 10, 9, 7, 7, 8, 6, 7, 6, 6, 5, 5, 4, 3]

PERMIT_TYPES = {  # type -> (weight, median construction value, class weights R/C/Ind/Inst)
    "Residential New": (14, 450_000, [1, 0, 0, 0]),
    "Residential Alteration": (30, 60_000, [1, 0, 0, 0]),
    "Commercial New": (5, 2_500_000, [0, 1, 0, 0]),
    "Commercial Alteration": (14, 250_000, [0, 8, 1, 1]),
    "Demolition": (6, 40_000, [6, 3, 1, 0]),
    "Plumbing": (14, 8_000, [7, 2, 1, 0]),
    "Electrical": (12, 12_000, [6, 3, 1, 0]),
    "Sign": (5, 6_000, [0, 1, 0, 0]),
}
PERMIT_CLASSES = ["Residential", "Commercial", "Industrial", "Institutional"]

PAYMENT_SERVICES = {  # service -> (weight, median amount in dollars)
    "Property tax": (22, 1_450.0),
    "Water bill": (30, 95.0),
    "Parking ticket": (22, 45.0),
    "Recreation registration": (14, 120.0),
    "Building permit fee": (4, 650.0),
    "Animal licence": (5, 35.0),
    "Business licence": (3, 310.0),
}
