//! Built-in UI strings per language, picked by locale tag.
//!
//! Only what the survey itself says (anchors, buttons, thank-you, default
//! questions); question texts from the config win over these. Kept as one
//! static table: every locale together is a few KB in the wasm.

use touchpoint_protocol::QuestionType;

/// Longest follow-up comment: the protocol's limit, so the survey never lets
/// a customer write what the collector refuses. `<textarea maxlength>` counts
/// UTF-16 units, never fewer than the characters the collector counts.
pub const MAX_COMMENT: usize = touchpoint_protocol::response::MAX_COMMENT_CHARS;

/// The built-in strings of one language.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    /// Language subtag (`en`, `de`, …).
    pub lang: &'static str,
    /// NPS anchors: lowest, highest.
    pub nps: [&'static str; 2],
    /// CES 2.0 anchors: lowest, highest.
    pub ces: [&'static str; 2],
    /// CSAT anchors: lowest, highest.
    pub csat: [&'static str; 2],
    /// Follow-up send button.
    pub send: &'static str,
    /// Close button's accessible name.
    pub close: &'static str,
    /// Thank-you message.
    pub thanks: &'static str,
    /// Default questions: NPS, CES 2.0 statement, CSAT.
    pub questions: [&'static str; 3],
}

impl Strings {
    /// The anchor labels (lowest, highest score) of a question type.
    pub fn anchors(&self, q: QuestionType) -> [&'static str; 2] {
        match q {
            QuestionType::Nps => self.nps,
            QuestionType::Ces => self.ces,
            QuestionType::Csat => self.csat,
        }
    }

    /// The question asked when the config gives no text.
    pub fn default_question(&self, q: QuestionType) -> &'static str {
        match q {
            QuestionType::Nps => self.questions[0],
            QuestionType::Ces => self.questions[1],
            QuestionType::Csat => self.questions[2],
        }
    }
}

/// The visible character counter, e.g. `12/1000` (the same in every language
/// shipped; digits stay Western Arabic as on the scale).
pub fn counter(used: usize) -> String {
    format!("{used}/{MAX_COMMENT}")
}

static TABLE: [Strings; 7] = [
    Strings {
        lang: "en",
        nps: ["Not at all likely", "Extremely likely"],
        ces: ["Strongly disagree", "Strongly agree"],
        csat: ["Very dissatisfied", "Very satisfied"],
        send: "Send",
        close: "Close",
        thanks: "Thank you for your feedback!",
        questions: [
            "How likely are you to recommend us to a friend or colleague?",
            "The company made it easy for me to handle my issue.",
            "How satisfied are you with your experience?",
        ],
    },
    Strings {
        lang: "de",
        nps: ["Überhaupt nicht wahrscheinlich", "Äußerst wahrscheinlich"],
        ces: ["Stimme überhaupt nicht zu", "Stimme voll und ganz zu"],
        csat: ["Sehr unzufrieden", "Sehr zufrieden"],
        send: "Senden",
        close: "Schließen",
        thanks: "Vielen Dank für Ihr Feedback!",
        questions: [
            "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?",
            "Das Unternehmen hat es mir leicht gemacht, mein Anliegen zu erledigen.",
            "Wie zufrieden sind Sie mit Ihrer Erfahrung?",
        ],
    },
    Strings {
        lang: "fr",
        nps: ["Pas du tout probable", "Extrêmement probable"],
        ces: ["Pas du tout d’accord", "Tout à fait d’accord"],
        csat: ["Très insatisfait", "Très satisfait"],
        send: "Envoyer",
        close: "Fermer",
        thanks: "Merci pour votre avis !",
        questions: [
            "Quelle est la probabilité que vous nous recommandiez à un ami ou un collègue ?",
            "L’entreprise m’a facilité le traitement de ma demande.",
            "Dans quelle mesure êtes-vous satisfait de votre expérience ?",
        ],
    },
    Strings {
        lang: "es",
        nps: ["Nada probable", "Extremadamente probable"],
        ces: ["Totalmente en desacuerdo", "Totalmente de acuerdo"],
        csat: ["Muy insatisfecho", "Muy satisfecho"],
        send: "Enviar",
        close: "Cerrar",
        thanks: "¡Gracias por tu opinión!",
        questions: [
            "¿Qué probabilidad hay de que nos recomiendes a un amigo o colega?",
            "La empresa me facilitó resolver mi problema.",
            "¿Qué tan satisfecho estás con tu experiencia?",
        ],
    },
    Strings {
        lang: "ru",
        nps: ["Совсем маловероятно", "Очень вероятно"],
        ces: ["Полностью не согласен", "Полностью согласен"],
        csat: ["Очень недоволен", "Очень доволен"],
        send: "Отправить",
        close: "Закрыть",
        thanks: "Спасибо за ваш отзыв!",
        questions: [
            "Насколько вероятно, что вы порекомендуете нас другу или коллеге?",
            "Компания позволила мне легко решить мой вопрос.",
            "Насколько вы довольны своим опытом?",
        ],
    },
    Strings {
        lang: "el",
        nps: ["Καθόλου πιθανό", "Εξαιρετικά πιθανό"],
        ces: ["Διαφωνώ απόλυτα", "Συμφωνώ απόλυτα"],
        csat: ["Πολύ δυσαρεστημένος", "Πολύ ικανοποιημένος"],
        send: "Αποστολή",
        close: "Κλείσιμο",
        thanks: "Ευχαριστούμε για τα σχόλιά σας!",
        questions: [
            "Πόσο πιθανό είναι να μας προτείνετε σε έναν φίλο ή συνάδελφο;",
            "Η εταιρεία μού διευκόλυνε τη διεκπεραίωση του θέματός μου.",
            "Πόσο ικανοποιημένος είστε από την εμπειρία σας;",
        ],
    },
    Strings {
        lang: "ar",
        nps: ["غير محتمل على الإطلاق", "محتمل للغاية"],
        ces: ["لا أوافق بشدة", "أوافق بشدة"],
        csat: ["غير راضٍ جدًا", "راضٍ جدًا"],
        send: "إرسال",
        close: "إغلاق",
        thanks: "شكرًا لملاحظاتك!",
        questions: [
            "ما مدى احتمال أن توصي بنا لصديق أو زميل؟",
            "سهّلت الشركة عليّ معالجة مشكلتي.",
            "ما مدى رضاك عن تجربتك؟",
        ],
    },
];

/// The language subtag of a locale tag, lowercased (`de-AT` → `de`).
fn language(locale: &str) -> String {
    locale
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Built-in strings for a locale tag: its language (`de-AT` → German), else English.
pub fn strings(locale: &str) -> &'static Strings {
    let lang = language(locale);
    TABLE.iter().find(|s| s.lang == lang).unwrap_or(&TABLE[0])
}

/// Whether a locale is written right to left (Arabic, Hebrew, Persian, Urdu).
pub fn is_rtl(locale: &str) -> bool {
    matches!(language(locale).as_str(), "ar" | "he" | "iw" | "fa" | "ur")
}
