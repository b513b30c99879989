//! The popup's strings: English, French and Hebrew (right-to-left). Falls back to English.

use pay_types::{DeclineCode, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    En,
    Fr,
    He,
}

/// The language of the popup and the BCP 47 tag used for number formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    pub language: Language,
    /// The caller's tag when its language is supported (`fr-CA` keeps Canadian formatting),
    /// otherwise `en`.
    pub tag: String,
}

impl Locale {
    /// Picks the language from a BCP 47 tag (`he-IL`, `fr`, `en-GB`; `iw` is old Hebrew).
    pub fn resolve(tag: Option<&str>) -> Locale {
        let tag = tag.unwrap_or("en");
        let end = tag.bytes().position(|b| b == b'-' || b == b'_').unwrap_or(tag.len());
        let primary = tag.get(..end).unwrap_or("").to_ascii_lowercase();
        let language = match primary.as_str() {
            "fr" => Language::Fr,
            "he" | "iw" => Language::He,
            "en" => Language::En,
            _ => {
                return Locale {
                    language: Language::En,
                    tag: "en".to_owned(),
                }
            }
        };
        let valid_tag = tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && tag.len() <= 35;
        Locale {
            language,
            tag: if valid_tag { tag.to_owned() } else { primary },
        }
    }

    pub const fn code(&self) -> &'static str {
        match self.language {
            Language::En => "en",
            Language::Fr => "fr",
            Language::He => "he",
        }
    }

    pub const fn is_rtl(&self) -> bool {
        matches!(self.language, Language::He)
    }

    pub fn t(&self, msg: Msg) -> &'static str {
        // A byte scan for the index-th separator (`split().nth()` inlines a char searcher).
        let mut skip = msg as usize * 3 + self.language as usize;
        let mut start = 0;
        for (i, &b) in PACKED.as_bytes().iter().enumerate() {
            if b == SEPARATOR as u8 {
                if skip == 0 {
                    return PACKED.get(start..i).unwrap_or("");
                }
                skip -= 1;
                start = i + 1;
            }
        }
        ""
    }

    pub fn decline(&self, code: DeclineCode) -> &'static str {
        self.t(match code {
            DeclineCode::CardDeclined => Msg::DeclineCard,
            DeclineCode::InsufficientFunds => Msg::DeclineFunds,
            DeclineCode::ExpiredCard => Msg::DeclineExpired,
            DeclineCode::IncorrectCvc => Msg::DeclineCvc,
            DeclineCode::ProcessingError => Msg::DeclineProcessing,
            DeclineCode::AuthenticationFailed => Msg::DeclineAuth,
        })
    }

    /// The message shown for a field error the server answered with.
    pub fn field_error(&self, code: ErrorCode) -> Msg {
        match code {
            ErrorCode::InvalidCardNumber => Msg::ErrCardNumber,
            ErrorCode::InvalidExpiry => Msg::ErrExpiry,
            ErrorCode::InvalidCvc => Msg::ErrCvc,
            ErrorCode::InvalidEmail => Msg::ErrEmail,
            ErrorCode::InvalidPhone => Msg::ErrPhone,
            ErrorCode::InvalidName => Msg::ErrName,
            ErrorCode::InvalidCountry => Msg::ErrCountry,
            _ => Msg::ErrGeneric,
        }
    }
}

/// Every string of the popup. The discriminant indexes [`STRINGS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    Title,
    Close,
    OrderSummary,
    Total,
    ContactTitle,
    FirstName,
    LastName,
    Email,
    Phone,
    Country,
    ChooseCountry,
    Optional,
    Continue,
    Back,
    MethodTitle,
    MethodCard,
    MethodOffline,
    OfflineNote,
    PlaceOrder,
    CardTitle,
    CardNumber,
    Expiry,
    Cvc,
    CardBrand,
    Pay,
    Agree,
    TermsLink,
    Processing,
    ThankYou,
    PaidNote,
    PendingNote,
    OfflineDoneNote,
    Done,
    ErrRequired,
    ErrName,
    ErrEmail,
    ErrPhone,
    ErrCountry,
    ErrCardNumber,
    ErrExpiry,
    ErrCvc,
    ErrTerms,
    ErrNetwork,
    ErrTooMany,
    ErrInProgress,
    ErrGeneric,
    DeclineCard,
    DeclineFunds,
    DeclineExpired,
    DeclineCvc,
    DeclineProcessing,
    DeclineAuth,
    ChallengeTitle,
    ChallengeNote,
    Cancel,
    ConfirmingNote,
    TryAgain,
    NoAttemptsLeft,
    ExpiredTitle,
    ExpiredNote,
}

/// What ends each string in [`PACKED`] (no message contains it).
const SEPARATOR: char = '\u{1}';

/// [`STRINGS`] one after another, each ended by [`SEPARATOR`], packed at compile time: one
/// string in the wasm instead of 174 and a table of their addresses.
static PACKED: &str = match std::str::from_utf8(&PACKED_BYTES) {
    Ok(s) => s,
    Err(_) => panic!("the messages are UTF-8"),
};

const PACKED_BYTES: [u8; packed_len()] = pack();

const fn packed_len() -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < STRINGS.len() * 3 {
        len += STRINGS[i / 3][i % 3].len() + 1;
        i += 1;
    }
    len
}

const fn pack<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut i = 0;
    while i < STRINGS.len() * 3 {
        let bytes = STRINGS[i / 3][i % 3].as_bytes();
        let mut b = 0;
        while b < bytes.len() {
            out[at] = bytes[b];
            at += 1;
            b += 1;
        }
        out[at] = SEPARATOR as u8;
        at += 1;
        i += 1;
    }
    out
}

/// `[en, fr, he]` for each [`Msg`], in declaration order (packed into [`PACKED`]).
const STRINGS: [[&str; 3]; 60] = [
    ["Checkout", "Paiement", "תשלום"],
    ["Close", "Fermer", "סגירה"],
    ["Order summary", "Récapitulatif de la commande", "סיכום הזמנה"],
    ["Total", "Total", "סה״כ"],
    ["Contact details", "Coordonnées", "פרטי התקשרות"],
    ["First name", "Prénom", "שם פרטי"],
    ["Last name", "Nom", "שם משפחה"],
    ["Email", "E-mail", "דוא״ל"],
    ["Phone", "Téléphone", "טלפון"],
    ["Country", "Pays", "מדינה"],
    ["Choose a country", "Choisir un pays", "בחירת מדינה"],
    ["optional", "facultatif", "רשות"],
    ["Continue", "Continuer", "המשך"],
    ["Back", "Retour", "חזרה"],
    ["Payment method", "Moyen de paiement", "אמצעי תשלום"],
    ["Credit or debit card", "Carte bancaire", "כרטיס אשראי"],
    [
        "Pay later (offline)",
        "Payer plus tard (hors ligne)",
        "תשלום מאוחר יותר (לא מקוון)",
    ],
    [
        "Your order is placed now and paid later, as agreed with the seller.",
        "Votre commande est passée maintenant et payée plus tard, selon l’accord avec le vendeur.",
        "ההזמנה נרשמת עכשיו ומשולמת מאוחר יותר, כפי שסוכם עם המוכר.",
    ],
    ["Place order", "Passer la commande", "ביצוע הזמנה"],
    ["Card details", "Carte bancaire", "פרטי כרטיס"],
    ["Card number", "Numéro de carte", "מספר כרטיס"],
    ["Expiry (MM/YY)", "Expiration (MM/AA)", "תוקף (MM/YY)"],
    ["Security code (CVC)", "Cryptogramme (CVC)", "קוד אבטחה (CVC)"],
    ["Card type", "Type de carte", "סוג כרטיס"],
    ["Pay", "Payer", "תשלום"],
    ["I agree to the", "J’accepte les", "אני מסכים/ה"],
    ["terms and conditions", "conditions générales", "לתנאים ולהגבלות"],
    ["Processing your payment…", "Paiement en cours…", "התשלום מעובד…"],
    ["Thank you!", "Merci !", "תודה!"],
    [
        "Your payment was successful.",
        "Votre paiement a été accepté.",
        "התשלום בוצע בהצלחה.",
    ],
    [
        "Your payment is being processed. You will be notified when it completes.",
        "Votre paiement est en cours de traitement. Vous serez informé de son issue.",
        "התשלום בטיפול. תקבלו הודעה כשיושלם.",
    ],
    [
        "Your order is placed. Pay as agreed with the seller.",
        "Votre commande est passée. Payez selon l’accord avec le vendeur.",
        "ההזמנה נרשמה. יש לשלם כפי שסוכם עם המוכר.",
    ],
    ["Done", "Terminé", "סיום"],
    ["This field is required.", "Ce champ est obligatoire.", "שדה חובה."],
    [
        "Enter a name of at most 100 characters.",
        "Saisissez un nom d’au plus 100 caractères.",
        "יש להזין שם של עד 100 תווים.",
    ],
    [
        "Enter a valid email address.",
        "Saisissez une adresse e-mail valide.",
        "יש להזין כתובת דוא״ל תקינה.",
    ],
    [
        "Enter a valid phone number.",
        "Saisissez un numéro de téléphone valide.",
        "יש להזין מספר טלפון תקין.",
    ],
    [
        "Choose a country from the list.",
        "Choisissez un pays dans la liste.",
        "יש לבחור מדינה מהרשימה.",
    ],
    [
        "Enter a valid card number.",
        "Saisissez un numéro de carte valide.",
        "יש להזין מספר כרטיס תקין.",
    ],
    [
        "Enter a future expiry date as MM/YY.",
        "Saisissez une date d’expiration future (MM/AA).",
        "יש להזין תוקף עתידי בפורמט MM/YY.",
    ],
    [
        "Enter the card’s security code.",
        "Saisissez le cryptogramme de la carte.",
        "יש להזין את קוד האבטחה של הכרטיס.",
    ],
    [
        "Accept the terms and conditions to continue.",
        "Acceptez les conditions générales pour continuer.",
        "יש לאשר את התנאים וההגבלות כדי להמשיך.",
    ],
    [
        "The payment service could not be reached. Check your connection and try again.",
        "Le service de paiement est injoignable. Vérifiez votre connexion et réessayez.",
        "לא ניתן להתחבר לשירות התשלומים. בדקו את החיבור ונסו שוב.",
    ],
    [
        "Too many attempts. This payment cannot be tried again.",
        "Trop de tentatives. Ce paiement ne peut plus être réessayé.",
        "יותר מדי ניסיונות. לא ניתן לנסות שוב תשלום זה.",
    ],
    [
        "A payment attempt is already in progress. Try again in a moment.",
        "Une tentative de paiement est déjà en cours. Réessayez dans un instant.",
        "ניסיון תשלום כבר מתבצע. נסו שוב בעוד רגע.",
    ],
    [
        "Something went wrong. Try again.",
        "Une erreur est survenue. Réessayez.",
        "משהו השתבש. נסו שוב.",
    ],
    ["Your card was declined.", "Votre carte a été refusée.", "הכרטיס נדחה."],
    [
        "Your card has insufficient funds.",
        "Le solde de votre carte est insuffisant.",
        "אין בכרטיס יתרה מספקת.",
    ],
    ["Your card has expired.", "Votre carte a expiré.", "תוקף הכרטיס פג."],
    [
        "The security code is incorrect.",
        "Le cryptogramme est incorrect.",
        "קוד האבטחה שגוי.",
    ],
    [
        "The payment could not be processed.",
        "Le paiement n’a pas pu être traité.",
        "לא ניתן היה לעבד את התשלום.",
    ],
    [
        "Your card’s authentication did not succeed.",
        "L’authentification de votre carte a échoué.",
        "אימות הכרטיס נכשל.",
    ],
    ["Card authentication", "Authentification de la carte", "אימות כרטיס"],
    [
        "Your bank asks you to confirm this payment.",
        "Votre banque vous demande de confirmer ce paiement.",
        "הבנק מבקש לאשר את התשלום.",
    ],
    ["Cancel", "Annuler", "ביטול"],
    [
        "Your payment is being confirmed with the card provider. Do not pay again.",
        "Paiement en cours de confirmation auprès de l’émetteur de la carte. Ne payez pas à nouveau.",
        "התשלום נמצא בתהליך אישור מול חברת הכרטיס. אין לשלם שוב.",
    ],
    [
        "Check your details or use another card, then try again.",
        "Vérifiez vos informations ou utilisez une autre carte, puis réessayez.",
        "בדקו את הפרטים או השתמשו בכרטיס אחר, ונסו שוב.",
    ],
    [
        "No attempts are left for this payment.",
        "Plus aucune tentative n’est possible pour ce paiement.",
        "לא נותרו ניסיונות לתשלום זה.",
    ],
    ["This payment has expired", "Ce paiement a expiré", "תוקף התשלום פג"],
    [
        "Nothing was charged. Ask the shop for a new payment to complete your order.",
        "Rien n’a été débité. Demandez à la boutique un nouveau paiement pour finaliser votre commande.",
        "לא בוצע חיוב. בקשו מהחנות תשלום חדש כדי להשלים את ההזמנה.",
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message, in declaration order.
    const ALL_MSGS: [Msg; 60] = [
        Msg::Title,
        Msg::Close,
        Msg::OrderSummary,
        Msg::Total,
        Msg::ContactTitle,
        Msg::FirstName,
        Msg::LastName,
        Msg::Email,
        Msg::Phone,
        Msg::Country,
        Msg::ChooseCountry,
        Msg::Optional,
        Msg::Continue,
        Msg::Back,
        Msg::MethodTitle,
        Msg::MethodCard,
        Msg::MethodOffline,
        Msg::OfflineNote,
        Msg::PlaceOrder,
        Msg::CardTitle,
        Msg::CardNumber,
        Msg::Expiry,
        Msg::Cvc,
        Msg::CardBrand,
        Msg::Pay,
        Msg::Agree,
        Msg::TermsLink,
        Msg::Processing,
        Msg::ThankYou,
        Msg::PaidNote,
        Msg::PendingNote,
        Msg::OfflineDoneNote,
        Msg::Done,
        Msg::ErrRequired,
        Msg::ErrName,
        Msg::ErrEmail,
        Msg::ErrPhone,
        Msg::ErrCountry,
        Msg::ErrCardNumber,
        Msg::ErrExpiry,
        Msg::ErrCvc,
        Msg::ErrTerms,
        Msg::ErrNetwork,
        Msg::ErrTooMany,
        Msg::ErrInProgress,
        Msg::ErrGeneric,
        Msg::DeclineCard,
        Msg::DeclineFunds,
        Msg::DeclineExpired,
        Msg::DeclineCvc,
        Msg::DeclineProcessing,
        Msg::DeclineAuth,
        Msg::ChallengeTitle,
        Msg::ChallengeNote,
        Msg::Cancel,
        Msg::ConfirmingNote,
        Msg::TryAgain,
        Msg::NoAttemptsLeft,
        Msg::ExpiredTitle,
        Msg::ExpiredNote,
    ];

    #[test]
    fn languages_and_fallback() {
        assert_eq!(Locale::resolve(Some("he-IL")).language, Language::He);
        assert!(Locale::resolve(Some("he")).is_rtl());
        assert_eq!(Locale::resolve(Some("iw")).language, Language::He);
        assert_eq!(Locale::resolve(Some("fr-CA")).tag, "fr-CA");
        let de = Locale::resolve(Some("de-DE"));
        assert_eq!((de.language, de.tag.as_str()), (Language::En, "en"));
        assert_eq!(Locale::resolve(None).language, Language::En);
        assert!(!Locale::resolve(Some("en-GB")).is_rtl());
    }

    #[test]
    fn every_message_is_translated() {
        assert_eq!(Msg::ExpiredNote as usize + 1, STRINGS.len());
        for row in STRINGS {
            assert!(row.iter().all(|s| !s.is_empty() && !s.contains(SEPARATOR)), "{row:?}");
        }
        let locales = [Some("en"), Some("fr"), Some("he")].map(Locale::resolve);
        for (msg, row) in ALL_MSGS.into_iter().zip(&STRINGS) {
            assert_eq!(msg as usize, ALL_MSGS.iter().position(|m| *m == msg).unwrap());
            for (locale, expected) in locales.iter().zip(row) {
                assert_eq!(locale.t(msg), *expected);
            }
        }
        let he = Locale::resolve(Some("he"));
        assert_eq!(he.t(Msg::Close), "סגירה");
    }

    #[test]
    fn every_decline_code_has_its_own_message_in_every_language() {
        let codes = [
            DeclineCode::CardDeclined,
            DeclineCode::InsufficientFunds,
            DeclineCode::ExpiredCard,
            DeclineCode::IncorrectCvc,
            DeclineCode::ProcessingError,
            DeclineCode::AuthenticationFailed,
        ];
        for locale in [Some("en"), Some("fr"), Some("he")].map(Locale::resolve) {
            let messages: Vec<&str> = codes.iter().map(|c| locale.decline(*c)).collect();
            for (i, m) in messages.iter().enumerate() {
                assert!(!messages[..i].contains(m), "{:?}: {m}", locale.language);
            }
        }
        assert_eq!(
            Locale::resolve(Some("fr")).decline(DeclineCode::AuthenticationFailed),
            "L’authentification de votre carte a échoué."
        );
    }
}
