//! The managed login pages in the user's language. As in Cognito, `lang` on a request to the
//! pages picks one of the languages of the AWS Management Console, a cookie keeps that choice
//! for later requests without `lang`, and the classic hosted UI (managed login version 1)
//! stays in English. The pages are written in English; each catalog (`templates/i18n`,
//! `English = translation` a line, `{}` standing for a value such as a code's destination)
//! translates their texts as they are rendered. A text a catalog lacks stays English.

use super::super::grant::{cookie, read_cookie};
use super::super::site::Site;
use axum::http::{HeaderMap, HeaderValue};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

const CATALOGS: &[(&str, &str)] = &[
    ("de", include_str!("../templates/i18n/de.txt")),
    ("es", include_str!("../templates/i18n/es.txt")),
    ("fr", include_str!("../templates/i18n/fr.txt")),
    ("id", include_str!("../templates/i18n/id.txt")),
    ("it", include_str!("../templates/i18n/it.txt")),
    ("ja", include_str!("../templates/i18n/ja.txt")),
    ("ko", include_str!("../templates/i18n/ko.txt")),
    ("pt-BR", include_str!("../templates/i18n/pt-BR.txt")),
    ("zh-CN", include_str!("../templates/i18n/zh-CN.txt")),
    ("zh-TW", include_str!("../templates/i18n/zh-TW.txt")),
];

/// The cookie that keeps the language a `lang` parameter chose.
const LANG_COOKIE: &str = "lang";

/// The page values that are texts for the user (not names, values or links).
const TEXTS: &[&str] = &[
    "title",
    "description",
    "error",
    "info",
    "submit",
    "label",
    "text",
    "message",
];

type Catalog = HashMap<&'static str, &'static str>;

static PARSED: LazyLock<HashMap<&'static str, Catalog>> = LazyLock::new(|| {
    CATALOGS
        .iter()
        .map(|(lang, source)| {
            let entries = source
                .lines()
                .filter_map(|line| line.split_once(" = "))
                .collect();
            (*lang, entries)
        })
        .collect()
});

/// The language `code` names (any case), if the pages speak it.
fn supported(code: &str) -> Option<&'static str> {
    std::iter::once("en")
        .chain(CATALOGS.iter().map(|(lang, _)| *lang))
        .find(|lang| lang.eq_ignore_ascii_case(code))
}

/// The language of a page: the request's `lang`, else the cookie's, else English (always
/// English on the classic hosted UI); and the cookie to set when `lang` chose anew.
pub(crate) fn choose(
    site: &Site,
    asked: Option<&str>,
    headers: &HeaderMap,
) -> (&'static str, Option<HeaderValue>) {
    if site.managed_login_version < 2 {
        return ("en", None);
    }
    let kept = read_cookie(headers, LANG_COOKIE).and_then(supported);
    match asked.and_then(supported) {
        Some(lang) if kept != Some(lang) => {
            (lang, Some(cookie(site, LANG_COOKIE, lang, 400 * 86_400)))
        }
        Some(lang) => (lang, None),
        None => (kept.unwrap_or("en"), None),
    }
}

/// `text` in `lang`, if its catalog has it.
pub(crate) fn translate(lang: &str, text: &str) -> Option<String> {
    let catalog = PARSED.get(lang)?;
    if let Some(found) = catalog.get(text) {
        return Some((*found).to_owned());
    }
    catalog.iter().find_map(|(english, translated)| {
        let (before, after) = english.split_once("{}")?;
        let value = text.strip_prefix(before)?.strip_suffix(after)?;
        Some(translated.replace("{}", value))
    })
}

/// Translates the texts of a page's values, at any depth.
pub(crate) fn localize(lang: &str, value: &mut Value) {
    if lang == "en" {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text) if TEXTS.contains(&key.as_str()) => {
                        if let Some(translated) = translate(lang, text) {
                            *text = translated;
                        }
                    }
                    _ => localize(lang, item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| localize(lang, i)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_catalog_translates_the_same_texts() {
        let keys = |lang: &str| PARSED[lang].keys().copied().collect::<BTreeSet<_>>();
        let reference = keys("de");
        assert!(reference.len() >= 50, "{}", reference.len());
        for (lang, source) in CATALOGS {
            assert_eq!(keys(lang), reference, "{lang}");
            assert_eq!(
                source.lines().count(),
                reference.len(),
                "{lang}: a line without ` = `"
            );
            for (english, translated) in &PARSED[lang] {
                assert_eq!(
                    english.matches("{}").count(),
                    translated.matches("{}").count(),
                    "{lang}: {english}"
                );
            }
        }
    }

    #[test]
    fn texts_with_a_value_keep_it() {
        assert_eq!(
            translate("de", "We texted a code to +*******1234. Enter it below.").as_deref(),
            Some("Wir haben einen Code per SMS an +*******1234 gesendet. Geben Sie ihn unten ein.")
        );
        assert_eq!(translate("ja", "Sign in").as_deref(), Some("サインイン"));
        assert_eq!(translate("ja", "Favorite color"), None);
        assert_eq!(supported("PT-br"), Some("pt-BR"));
        assert_eq!(supported("xx"), None);
    }

    #[test]
    fn only_texts_are_translated() {
        let mut page = serde_json::json!({
            "title": "Sign in",
            "fields": [{ "name": "Username", "label": "Username", "value": "Password" }],
            "error": "redirect_mismatch",
        });
        localize("fr", &mut page);
        assert_eq!(page["title"], "Se connecter");
        assert_eq!(page["fields"][0]["label"], "Nom d'utilisateur");
        assert_eq!(page["fields"][0]["name"], "Username");
        assert_eq!(page["fields"][0]["value"], "Password");
        assert_eq!(page["error"], "redirect_mismatch");
    }
}
