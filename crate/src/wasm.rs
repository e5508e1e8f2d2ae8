//! The WebAssembly API, used by the extension's background.
//!
//! ```js
//! const c = new wasm_bindgen.Classifier({ age: "6-10" }, domainBytes);
//! c.classifyPage(["paragraph one", "a comment"]); // → PageVerdict
//! c.classifyUrl("https://example.com/");          // → Verdict
//! // A page's blocks in batches, as the extension sends them: one string
//! // and the blocks' lengths; only the blocks not simply allowed come back.
//! c.classifyBatch("tab:frame:doc", "ab", Uint32Array.of(1, 1), false);
//! ```
//!
//! Verdicts cross the boundary through `serde-wasm-bindgen` as plain objects
//! with the same fields as the CLI's JSON; settings are read by hand with
//! the CLI's rules (`settings_from_js`). Errors are thrown as `Error`s with
//! a readable message, never as panics.

use crate::classify::{
    BlockVerdict, CategoryScore, Classifier as Core, PageState, PageVerdict, Settings, Span,
    Verdict,
};
use crate::domains::DomainTable;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::prelude::*;

/// Reads the settings object by hand, with the same rules as the CLI's
/// serde reader (camelCase fields, all optional, unknown fields refused).
/// Not `serde_wasm_bindgen::from_value`: its deserializer and the float
/// formatting of its error messages were 37 KB of the .wasm.
fn settings_from_js(v: &JsValue) -> Result<Settings, String> {
    const FIELDS: [&str; 6] = [
        "age",
        "actions",
        "extraLexicon",
        "extraDomains",
        "allowDomains",
        "blockDomains",
    ];
    let mut out = Settings::default();
    if v.is_undefined() || v.is_null() {
        return Ok(out);
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(format!("invalid type: {}, expected an object", js_type(v)));
    }
    let get =
        |k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    for key in js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !FIELDS.contains(&key.as_str()) {
            return Err(format!(
                "unknown field `{key}`, expected one of `age`, `actions`, `extraLexicon`, \
                 `extraDomains`, `allowDomains`, `blockDomains`"
            ));
        }
    }
    out.age = optional_string(&get("age"), "age")?;
    out.extra_lexicon = optional_string(&get("extraLexicon"), "extraLexicon")?;
    for (k, val) in entries(&get("actions"), "actions")? {
        let field = format!("actions.{k}");
        let action = optional_string(&val, &field)?
            .ok_or_else(|| format!("{field}: invalid type: null, expected a string"))?;
        out.actions.insert(k, action);
    }
    for (k, val) in entries(&get("extraDomains"), "extraDomains")? {
        out.extra_domains
            .insert(k.clone(), strings(&val, &format!("extraDomains.{k}"))?);
    }
    out.allow_domains = strings(&get("allowDomains"), "allowDomains")?;
    out.block_domains = strings(&get("blockDomains"), "blockDomains")?;
    Ok(out)
}

fn js_type(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(v) {
        "array".into()
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

fn optional_string(v: &JsValue, field: &str) -> Result<Option<String>, String> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| format!("{field}: invalid type: {}, expected a string", js_type(v)))
}

/// An object's own (key, value) pairs; none for `undefined`.
fn entries(v: &JsValue, field: &str) -> Result<Vec<(String, JsValue)>, String> {
    if v.is_undefined() {
        return Ok(Vec::new());
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(format!(
            "{field}: invalid type: {}, expected an object",
            js_type(v)
        ));
    }
    Ok(js_sys::Object::entries(v.unchecked_ref::<js_sys::Object>())
        .iter()
        .map(|pair| {
            let pair: js_sys::Array = pair.unchecked_into();
            (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
        })
        .collect())
}

/// An array of strings; empty for `undefined`.
fn strings(v: &JsValue, field: &str) -> Result<Vec<String>, String> {
    if v.is_undefined() {
        return Ok(Vec::new());
    }
    if !js_sys::Array::is_array(v) {
        return Err(format!(
            "{field}: invalid type: {}, expected an array of strings",
            js_type(v)
        ));
    }
    let arr: &js_sys::Array = v.unchecked_ref();
    arr.iter()
        .map(|x| {
            x.as_string().ok_or_else(|| {
                format!(
                    "{field}: invalid type: {} in the list, expected a string",
                    js_type(&x)
                )
            })
        })
        .collect()
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Pages kept open at once; the oldest is dropped beyond this (a tab that
/// was closed without telling us must not grow memory forever).
const MAX_SESSIONS: usize = 512;

/// Category id → action id.
fn by_category(
    actions: &[crate::Action; crate::Category::COUNT],
) -> std::collections::BTreeMap<&'static str, &'static str> {
    crate::Category::ALL
        .iter()
        .map(|c| (c.id(), actions[c.index()].id()))
        .collect()
}

#[wasm_bindgen]
pub struct Classifier {
    core: Core,
    sessions: RefCell<HashMap<String, (u64, PageState)>>,
    clock: RefCell<u64>,
}

#[wasm_bindgen]
impl Classifier {
    /// Creates a classifier from a settings object (`age`, `actions`,
    /// `extraLexicon`, `extraDomains`, `allowDomains`, `blockDomains`) and
    /// the bytes of `domains.bin`, `model.bin` and `names.bin` (all optional).
    #[wasm_bindgen(constructor)]
    pub fn new(
        settings: JsValue,
        domains: Option<Vec<u8>>,
        model: Option<Vec<u8>>,
        names: Option<Vec<u8>>,
    ) -> Result<Classifier, JsError> {
        let settings =
            settings_from_js(&settings).map_err(|e| JsError::new(&format!("settings: {e}")))?;
        let table = match domains {
            Some(bytes) => DomainTable::from_bytes(bytes).map_err(|e| JsError::new(&e))?,
            None => DomainTable::empty(),
        };
        let model = match model {
            Some(bytes) => {
                Some(crate::model::Model::from_bytes(&bytes).map_err(|e| JsError::new(&e))?)
            }
            None => None,
        };
        let names = match names {
            Some(bytes) => {
                crate::names::NameModels::from_bytes(&bytes).map_err(|e| JsError::new(&e))?
            }
            None => crate::names::NameModels::default(),
        };
        Ok(Classifier {
            core: Core::with_data(&settings, table, model)
                .map_err(|e| JsError::new(&e))?
                .with_names(names),
            sessions: RefCell::new(HashMap::new()),
            clock: RefCell::new(0),
        })
    }

    /// Classifies the next blocks of the page known as `session` (the
    /// background uses tab, frame and document ids). Returns block verdicts
    /// for these blocks and the page verdict so far.
    #[wasm_bindgen(js_name = classifyMore)]
    pub fn classify_more(
        &self,
        session: &str,
        blocks: Vec<String>,
        complete: bool,
    ) -> Result<JsValue, JsError> {
        to_js(&self.more(session, &blocks, complete))
    }

    /// The same as `classifyMore`, in the shape the content script's batches
    /// travel in: the blocks as one string `text` and their `lengths` (in
    /// UTF-16 code units, as JavaScript counts). Returns the page verdict
    /// so far and only the blocks that were not simply allowed (`flagged`,
    /// each with its index `i` in the batch): most of a page is allowed, and
    /// building a JavaScript object for every block cost as much as
    /// classifying it.
    #[wasm_bindgen(js_name = classifyBatch)]
    pub fn classify_batch(
        &self,
        session: &str,
        text: &str,
        lengths: &[u32],
        complete: bool,
    ) -> Result<JsValue, JsError> {
        let blocks = split_utf16(text, lengths).map_err(|e| JsError::new(&e))?;
        let v = self.more(session, &blocks, complete);
        let flagged = v
            .blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.action != "allow" || !b.alerts.is_empty())
            .map(|(i, b)| Flagged::new(i, b))
            .collect();
        to_js(&Batch {
            page: &v.page,
            explain: v.explain,
            flagged,
        })
    }
}

/// `classifyBatch`'s answer.
#[derive(Serialize)]
struct Batch<'a> {
    #[serde(flatten)]
    page: &'a Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'static str>,
    flagged: Vec<Flagged<'a>>,
}

/// A block of a batch that was not simply allowed (reasons stay in the
/// page verdict).
#[derive(Serialize)]
struct Flagged<'a> {
    i: usize,
    action: &'static str,
    categories: &'a [CategoryScore],
    spans: &'a [Span],
    alerts: &'a [&'static str],
}

impl<'a> Flagged<'a> {
    fn new(i: usize, b: &'a BlockVerdict) -> Flagged<'a> {
        Flagged {
            i,
            action: b.action,
            categories: &b.categories,
            spans: &b.spans,
            alerts: &b.alerts,
        }
    }
}

/// Cuts `text` into blocks of the given lengths in UTF-16 code units. The
/// lengths must add up to the text exactly and fall between characters.
fn split_utf16<'t>(text: &'t str, lengths: &[u32]) -> Result<Vec<&'t str>, String> {
    let mut out = Vec::with_capacity(lengths.len());
    let mut chars = text.char_indices();
    let mut start = 0;
    for &n in lengths {
        let mut units = 0;
        let mut end = start;
        while units < n as usize {
            let Some((i, c)) = chars.next() else {
                return Err("classifyBatch: the lengths add up to more than the text".into());
            };
            units += c.len_utf16();
            end = i + c.len_utf8();
        }
        if units != n as usize {
            return Err("classifyBatch: a length ends inside a character".into());
        }
        out.push(&text[start..end]);
        start = end;
    }
    if start != text.len() {
        return Err("classifyBatch: the lengths add up to less than the text".into());
    }
    Ok(out)
}

impl Classifier {
    /// One step of a page known as `session`: its state is kept between
    /// calls, the least recently used page dropped beyond MAX_SESSIONS.
    fn more<S: AsRef<str>>(&self, session: &str, blocks: &[S], complete: bool) -> PageVerdict {
        let mut sessions = self.sessions.borrow_mut();
        let mut clock = self.clock.borrow_mut();
        *clock += 1;
        if !sessions.contains_key(session) && sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, v)| v.0)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        let entry = sessions
            .entry(session.to_string())
            .or_insert_with(|| (0, PageState::default()));
        entry.0 = *clock;
        self.core.classify_more(&mut entry.1, blocks, complete)
    }
}

#[wasm_bindgen]
impl Classifier {
    /// Forgets a page (navigation, closed tab).
    #[wasm_bindgen(js_name = endSession)]
    pub fn end_session(&self, session: &str) {
        self.sessions.borrow_mut().remove(session);
    }

    /// Classifies a page from its text blocks (an array of strings).
    #[wasm_bindgen(js_name = classifyPage)]
    pub fn classify_page(&self, blocks: Vec<String>) -> Result<JsValue, JsError> {
        to_js(&self.core.classify_page(&blocks))
    }

    /// Classifies a URL; throws on input that is not a URL at all.
    #[wasm_bindgen(js_name = classifyUrl)]
    pub fn classify_url(&self, url: &str) -> Result<JsValue, JsError> {
        let v = self.core.classify_url(url).map_err(|e| JsError::new(&e))?;
        to_js(&v)
    }

    /// The hot path of every navigation: only the action and the category
    /// to explain, as `"block gambling"`, `"warn violence"` or `"allow"`
    /// (`blocklist` for the block list, `allowlist` for the allow list). No
    /// object crosses the boundary, so it costs a fraction of `classifyUrl`.
    #[wasm_bindgen(js_name = urlAction)]
    pub fn url_action(&self, url: &str) -> String {
        let Ok((action, category)) = self.core.url_action(url) else {
            return "allow".into();
        };
        let mut out = String::with_capacity(24);
        out.push_str(action.id());
        if !category.is_empty() {
            out.push(' ');
            out.push_str(category);
        }
        out
    }

    /// The same decision as `urlAction`, as one number, so that no string
    /// is built or decoded on every navigation: the action's index in
    /// `urlCodeNames().actions` plus 256 × the explanation's index in
    /// `urlCodeNames().reasons`. Input that is not a URL gives 0 (`allow`,
    /// nothing to explain).
    #[wasm_bindgen(js_name = urlCode)]
    pub fn url_code(&self, url: &str) -> u32 {
        match self.core.url_why(url) {
            Ok((action, why)) => action as u32 | why.code() << 8,
            Err(_) => 0,
        }
    }

    /// The names behind `urlCode`'s numbers, as JSON: `{"actions":
    /// ["allow","warn","blur","block"], "reasons": ["","sexual",…,
    /// "allowlist","blocklist"]}`. Written by hand: a serialised struct
    /// cost 2 KB of `.wasm` for a call made once per start.
    #[wasm_bindgen(js_name = urlCodeNames)]
    pub fn url_code_names(&self) -> String {
        let mut out = String::from("{\"actions\":[");
        let actions = crate::Action::ALL.iter().map(|a| a.id());
        for (i, name) in actions.enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push('"');
        }
        out.push_str("],\"reasons\":[");
        for (i, name) in crate::classify::UrlWhy::all().map(|w| w.id()).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(name);
            out.push('"');
        }
        out.push_str("]}");
        out
    }

    /// Personal information in text being typed (its last 20,000
    /// characters): `[{kind, start, end}]`, offsets in characters.
    #[wasm_bindgen(js_name = findPii)]
    pub fn find_pii(&self, text: &str) -> Result<JsValue, JsError> {
        to_js(&crate::pii::find_in_tail(
            text,
            crate::pii::TYPING_TAIL_CHARS,
        ))
    }

    /// The age group in force and the sizes of what is loaded.
    pub fn info(&self) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Info {
            age: &'static str,
            lexicon_entries: usize,
            domains: usize,
            version: &'static str,
            /// The action per category for this age group (after overrides).
            actions: std::collections::BTreeMap<&'static str, &'static str>,
            /// The age profile's own actions, before overrides (for the
            /// settings page's "by age group" choice).
            profile_actions: std::collections::BTreeMap<&'static str, &'static str>,
        }
        let defaults = crate::profile::Profiles::defaults();
        let base = defaults.get(self.core.age());
        to_js(&Info {
            age: self.core.age().id(),
            lexicon_entries: self.core.lexicon_entries(),
            domains: self.core.domain_count(),
            version: env!("CARGO_PKG_VERSION"),
            actions: by_category(&self.core.profile().actions),
            profile_actions: by_category(&base.actions),
        })
    }
}
