//! DOM helpers. Every merchant or visitor string goes in as text (`textContent`, attribute
//! values), never as HTML, and no element gets a `style` attribute (strict CSP).

use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

pub fn document() -> Document {
    web_sys::window().unwrap_throw().document().unwrap_throw()
}

pub fn set(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// A new `<tag class="…">` appended to `parent`.
pub fn child(parent: &Element, tag: &str, class: &str) -> Element {
    let el = document().create_element(tag).unwrap_throw();
    if !class.is_empty() {
        el.set_class_name(class);
    }
    let _ = parent.append_child(&el);
    el
}

/// Like [`child`], with `text` as its text content.
pub fn text_child(parent: &Element, tag: &str, class: &str, text: &str) -> Element {
    let el = child(parent, tag, class);
    el.set_text_content(Some(text));
    el
}

/// A `<button>`; `action` becomes `data-action` (what the flow receives on click).
pub fn button(parent: &Element, class: &str, kind: &str, action: &str, text: &str) -> HtmlElement {
    let el = text_child(parent, "button", class, text);
    set(&el, "type", kind);
    if !action.is_empty() {
        set(&el, "data-action", action);
    }
    el.unchecked_into()
}

pub fn heading(parent: &Element, text: &str) -> Element {
    let h = text_child(parent, "h3", "step-title", text);
    set(&h, "id", "pay-step-title");
    set(&h, "tabindex", "-1");
    h
}

/// A form for one step, labelled by its heading. `novalidate`: the popup validates itself
/// and ties each message to its field.
pub fn form(parent: &Element) -> Element {
    let f = child(parent, "form", "step-form");
    set(&f, "novalidate", "");
    set(&f, "aria-labelledby", "pay-step-title");
    f
}

/// Removes every child of `el`.
pub fn clear(el: &Element) {
    el.set_text_content(None);
}

/// An input (or a `<select>`) with its visible label and its error message, tied by
/// `aria-describedby`.
pub struct Field {
    pub input: HtmlElement,
    pub error: Element,
}

pub struct FieldSpec<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub autocomplete: &'a str,
    pub required: bool,
    pub value: &'a str,
}

fn id_of(prefix: &str, name: &str, suffix: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + name.len() + suffix.len());
    id.push_str(prefix);
    id.push_str(name);
    id.push_str(suffix);
    id
}

impl Field {
    pub fn new(parent: &Element, spec: FieldSpec<'_>, optional_word: &str) -> Field {
        let field = Self::control(parent, "input", &spec, optional_word);
        let input: &HtmlInputElement = field.input.unchecked_ref();
        set(input, "type", spec.kind);
        input.set_value(spec.value);
        field
    }

    /// A `<select>` of `(value, text)` options, `spec.value` selected (the first option
    /// when no option has that value).
    pub fn select<'a>(
        parent: &Element,
        spec: FieldSpec<'_>,
        optional_word: &str,
        options: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Field {
        let field = Self::control(parent, "select", &spec, optional_word);
        for (value, text) in options {
            let option = text_child(&field.input, "option", "", text);
            set(&option, "value", value);
        }
        field.input.unchecked_ref::<HtmlSelectElement>().set_value(spec.value);
        field
    }

    fn control(parent: &Element, tag: &str, spec: &FieldSpec<'_>, optional_word: &str) -> Field {
        let wrap = child(parent, "div", "field");
        let id = id_of("pay-", spec.name, "");
        let error_id = id_of("pay-", spec.name, "-error");
        let label = text_child(&wrap, "label", "", spec.label);
        set(&label, "for", &id);
        if !spec.required {
            let hint = text_child(&label, "span", "optional", optional_word);
            set(&hint, "aria-hidden", "true");
        }
        let input: HtmlElement = child(&wrap, tag, "").unchecked_into();
        set(&input, "id", &id);
        set(&input, "name", spec.name);
        set(&input, "autocomplete", spec.autocomplete);
        set(&input, "aria-describedby", &error_id);
        if spec.required {
            set(&input, "aria-required", "true");
        }
        let error = child(&wrap, "p", "error");
        set(&error, "id", &error_id);
        set(&error, "aria-live", "polite");
        Field { input, error }
    }

    pub fn value(&self) -> String {
        match self.input.dyn_ref::<HtmlInputElement>() {
            Some(input) => input.value(),
            None => self.input.unchecked_ref::<HtmlSelectElement>().value(),
        }
    }

    /// Shows or clears the field's error; `aria-invalid` follows.
    pub fn show_error(&self, message: Option<&str>) {
        self.error.set_text_content(message);
        match message {
            Some(_) => set(&self.input, "aria-invalid", "true"),
            None => {
                let _ = self.input.remove_attribute("aria-invalid");
            }
        }
    }

    pub fn has_error(&self) -> bool {
        self.input.has_attribute("aria-invalid")
    }
}

/// The required "I agree to the terms and conditions" checkbox with its link.
pub struct TermsBox {
    pub checkbox: HtmlInputElement,
    pub error: Element,
}

impl TermsBox {
    pub fn new(parent: &Element, link: &str, agree: &str, terms: &str) -> TermsBox {
        let wrap = child(parent, "div", "field terms");
        let checkbox: HtmlInputElement = child(&wrap, "input", "").unchecked_into();
        set(&checkbox, "type", "checkbox");
        set(&checkbox, "id", "pay-terms");
        set(&checkbox, "name", "terms");
        set(&checkbox, "aria-required", "true");
        set(&checkbox, "aria-describedby", "pay-terms-error");
        let label = text_child(&wrap, "label", "", agree);
        set(&label, "for", "pay-terms");
        let _ = label.append_with_str_1(" ");
        let a = text_child(&wrap, "a", "", terms);
        set(&a, "href", link);
        set(&a, "target", "_blank");
        set(&a, "rel", "noopener noreferrer");
        let error = child(&wrap, "p", "error");
        set(&error, "id", "pay-terms-error");
        set(&error, "aria-live", "polite");
        TermsBox { checkbox, error }
    }

    /// After a refused submit, clears the error as soon as the box is checked (and shows it
    /// again if it is unchecked).
    pub fn recheck(&self, message: &str) {
        if self.checkbox.has_attribute("aria-invalid") || self.checkbox.checked() {
            self.check(message);
        }
    }

    /// Shows the error when unchecked; returns whether it is checked.
    pub fn check(&self, message: &str) -> bool {
        let ok = self.checkbox.checked();
        self.error.set_text_content(if ok { None } else { Some(message) });
        if ok {
            let _ = self.checkbox.remove_attribute("aria-invalid");
        } else {
            set(&self.checkbox, "aria-invalid", "true");
        }
        ok
    }
}
