//! The words reports are made of: statuses, places, browsers, connectors, resource names. Weights are
//! relative (`(item, weight)`); they were chosen to look like a university's day, not measured.

/// Share of the day's events by UTC hour: quiet night, a morning climb, a lunch dip, an evening tail.
pub const HOURLY: [u32; 24] = [
    20, 12, 8, 6, 6, 9, 18, 35, 60, 80, 90, 90, 80, 85, 90, 85, 70, 55, 45, 45, 48, 45, 36, 26,
];

pub const SIGN_IN_FAILURES: &[(&str, u32)] = &[
    ("ACCOUNT_ERROR_BAD_PASSWORD", 50),
    ("ACCOUNT_ERROR_NOT_FOUND", 20),
    ("ACCOUNT_ERROR_EXPIRED", 12),
    ("ACCOUNT_ERROR_LOCKED", 10),
    ("ACCOUNT_ERROR_PENDING", 5),
    ("ACCOUNT_ERROR_SUSPENDED", 3),
];
pub const NOT_FOUND: &str = "ACCOUNT_ERROR_NOT_FOUND";
/// What someone guessing passwords sees: wrong passwords, names that do not exist, a locked account.
pub const GUESSING_FAILURES: &[(&str, u32)] = &[
    ("ACCOUNT_ERROR_BAD_PASSWORD", 80),
    ("ACCOUNT_ERROR_NOT_FOUND", 12),
    ("ACCOUNT_ERROR_LOCKED", 8),
];

/// Transfer failures other than restrictive mode, which the catalogue decides per resource.
pub const TRANSFER_FAILURES: &[(&str, u32)] = &[
    ("FAILURE_NO_PERMISSION", 5),
    ("FAILURE_ACCOUNT_EXPIRED", 2),
    ("FAILURE_RESOURCE_UNAVAILABLE", 1),
];

/// `account.status` of OpenAthens accounts; local accounts are ACTIVE or blank.
pub const ACCOUNT_STATUSES: &[(&str, u32)] = &[
    ("ACTIVE", 940),
    ("PENDING", 20),
    ("INVALID", 10),
    ("SUSPENDED", 10),
    ("EXPIRED", 20),
];

/// Countries with their identifiable ISPs; an empty name is an ISP MaxMind could not identify.
pub const COUNTRIES: &[(&str, u32, &[&str])] = &[
    (
        "GB",
        640,
        &[
            "virginm.net",
            "Btcentralplus",
            "sky.com",
            "talktalk.net",
            "plus.net",
            "vodafone.co.uk",
            "ee.co.uk",
            "three.co.uk",
            "hyperoptic.com",
            "",
        ],
    ),
    (
        "US",
        70,
        &[
            "comcast.net",
            "verizon.net",
            "att.net",
            "charter.com",
            "T-Mobile USA",
            "",
        ],
    ),
    ("IE", 40, &["eircom.net", "virginmedia.ie", "Vodafone Ireland"]),
    ("CN", 35, &["China Telecom", "China Unicom", "中国移动"]),
    ("IN", 35, &["Reliance Jio", "Bharti Airtel", ""]),
    (
        "DE",
        25,
        &["Deutsche Telekom AG", "Vodafone GmbH", "Telefónica Germany"],
    ),
    ("FR", 20, &["Orange", "Free SAS", "Bouygues Télécom"]),
    ("NG", 18, &["MTN Nigeria", "Airtel Nigeria", ""]),
    ("ES", 15, &["Telefónica de España", "Vodafone Spain"]),
    ("AU", 12, &["Telstra", "Optus"]),
    ("CA", 12, &["Rogers Communications", "Bell Canada", "Vidéotron"]),
    ("NL", 10, &["KPN", "Ziggo"]),
    ("CH", 8, &["Swisscom (Schweiz) AG", "Sunrise UPC"]),
    ("JP", 8, &["NTT Communications", "KDDI Corporation"]),
    ("", 4, &[""]),
];

pub const IPV4_FIRST_OCTETS: &[u8] = &[
    2, 5, 31, 46, 62, 77, 78, 81, 82, 86, 90, 92, 109, 146, 151, 176, 185, 193, 212, 213, 217,
];
pub const IPV6_PREFIXES: &[&str] = &[
    "2a00:23c6",
    "2a02:c7c",
    "2a01:4b00",
    "2a0a:ef40",
    "2001:630",
    "2600:1700",
    "2409:4042",
];

/// User agent templates; `{v}` takes a browser version, always giving strings the reader must quote.
pub const AGENT_TEMPLATES: &[(&str, &[&str])] = &[
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
        &["110", "111", "112", "113", "114"],
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
        &["112", "113", "114"],
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.1823.43",
        &["113", "114"],
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        &["108", "113", "114"],
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        &["108", "114"],
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
        &["113", "114"],
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Safari/605.1.15",
        &["16.3", "16.4", "16.5"],
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS {v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
        &["16_4_1", "16_5"],
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS {v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
        &["16_5"],
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.5735.131 Mobile Safari/537.36",
        &["113", "114"],
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36",
        &["114"],
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
        &["114"],
    ),
];

pub const CONNECTORS: &[&str] = &[
    "Student login",
    "Staff login",
    "Azure AD",
    "Shibboleth IdP",
    "ADFS",
    "Google Workspace",
    "Connexion étudiants",
    "NHS, Trust staff",
];

pub const PERMISSION_SETS: &[(&str, u32)] = &[
    ("demo#default", 60),
    ("demo#extra", 20),
    ("demo#staff", 12),
    ("demo#medicine", 6),
    ("demo#law", 4),
    ("demo#nhs", 3),
];

pub const DEPARTMENTS: &[(&str, u32)] = &[
    ("", 15),
    ("Computer Science", 10),
    ("Medicine", 12),
    ("Law", 6),
    ("Arts, Humanities and Social Sciences", 9),
    ("Engineering", 8),
    ("Études françaises", 3),
    ("Psychology", 7),
    ("Business School", 9),
    ("Library & Archives", 2),
    ("Nursing, Midwifery \"and\" Health", 4),
    ("Zürich Exchange", 1),
    ("日本語学科", 1),
];

pub const ROLES: &[(&str, u32)] = &[
    ("student", 62),
    ("staff", 16),
    ("faculty", 9),
    ("member", 5),
    ("affiliate", 3),
    ("alum", 2),
    ("", 3),
];

/// Titles are `{publisher}`, or a publisher with a collection, or a journal of subjects.
pub const PUBLISHERS: &[&str] = &[
    "Elsevier ScienceDirect",
    "Wiley Online Library",
    "Springer Nature",
    "Taylor & Francis Online",
    "SAGE Journals",
    "JSTOR",
    "ProQuest",
    "EBSCOhost",
    "Ovid",
    "Cambridge Core",
    "Oxford Academic",
    "Gale Primary Sources",
    "Emerald Insight",
    "IEEE Xplore",
    "ACM Digital Library",
    "BMJ",
    "Lexis+",
    "Westlaw UK",
    "Statista",
    "Mintel",
    "Kanopy",
    "Box of Broadcasts",
    "Scopus",
    "Web of Science",
    "Cochrane Library",
    "Britannica Academic",
    "O'Reilly Learning",
    "De Gruyter",
    "Brill",
    "Thieme",
    "Karger",
    "Éditions Dalloz",
    "Universitätsverlag Göttingen",
    "Cool Stuff Inc.",
    "Maruzen 丸善 eBook Library",
    "日本語 学術データベース",
    "Presses de l'Université Laval",
];

pub const SUBJECTS: &[&str] = &[
    "Medicine",
    "Nursing",
    "Law",
    "History",
    "Economics",
    "Chemistry",
    "Physics",
    "Engineering",
    "Psychology",
    "Music",
    "Education",
    "Architecture",
    "Philosophy",
    "Linguistics",
    "Mathematics",
    "Statistics",
    "Sociology",
    "Art & Design",
    "Veterinary Science",
    "Économie",
    "Straßenbau",
    "Earth Sciences",
    "Public Health",
    "Politics",
];

pub const COLLECTIONS: &[&str] = &[
    "Collection",
    "Archive",
    "eBooks",
    "Journals",
    "Reference",
    "Online",
    "Premium",
];

/// Words that make resource entity IDs.
pub const SLUG_WORDS: &[&str] = &[
    "cool", "resource", "journals", "science", "press", "library", "academic", "data", "archive", "online", "learning",
    "medical", "legal", "research", "books", "media", "stats", "health", "global", "open",
];

/// Federation contexts; the API name stands for custom SAML resources.
pub const FEDERATIONS: &[(Federation, u32)] = &[
    (Federation::OpenAthens, 55),
    (Federation::UkFed, 35),
    (Federation::ApiName, 10),
];

#[derive(Debug, Clone, Copy)]
pub enum Federation {
    OpenAthens,
    UkFed,
    ApiName,
}

/// The organisation's OpenAthens API name, which `attribute.federationctx` shows for custom SAML resources.
pub const API_NAME: &str = "example.org";

impl Federation {
    pub fn name(self) -> &'static str {
        match self {
            Federation::OpenAthens => "oafed",
            Federation::UkFed => "ukfed",
            Federation::ApiName => API_NAME,
        }
    }
}

/// Strings for `hostile` reports: markup that runs if a page ever renders report text as HTML.
pub const HOSTILE_TITLE: &str = "<img src=x onerror=alert(1)>";
pub const HOSTILE_SCRIPT: &str = "<script>alert(\"xss\")</script>";
pub const HOSTILE_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64) <script>alert(document.cookie)</script> Gecko, like <b>bold</b>";
pub const HOSTILE_PERMISSION_SET: &str = "demo#<img src=x onerror=alert('ps')>";
pub const HOSTILE_DEPARTMENT: &str = "<svg onload=alert('dept')></svg>";
/// An extra custom column whose very name is markup.
pub const HOSTILE_COLUMN: &str = "attribute.<img src=x onerror=alert('col')>";
