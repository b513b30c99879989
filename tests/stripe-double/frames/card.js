// The card fields of the Stripe.js test double, in a frame of the double's own origin. The
// page's script (stripe.ts) talks to it by postMessage; the card's values never leave this
// frame except to the double's server, in createPaymentMethod.
const config = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const PARENT = config.origin;
const fields = {
  number: document.getElementById("number"),
  expiry: document.getElementById("expiry"),
  cvc: document.getElementById("cvc"),
  postal: document.getElementById("postal"),
};
const touched = new Set();

document.documentElement.lang = config.locale && config.locale !== "auto" ? config.locale : navigator.language;
fields.postal.hidden = config.hidePostalCode;

/** `style.base` (and `style.invalid` on an invalid field) on the inputs, as Stripe does. */
function applyStyle() {
  const css = (variant = {}) => ({
    color: variant.color ?? "", fontFamily: variant.fontFamily ?? "", fontSize: variant.fontSize ?? "",
    fontWeight: variant.fontWeight ?? "", letterSpacing: variant.letterSpacing ?? "", lineHeight: variant.lineHeight ?? "",
  });
  for (const input of Object.values(fields)) {
    const invalid = input.getAttribute("aria-invalid") === "true";
    Object.assign(input.style, css(config.style.base), invalid ? css(config.style.invalid) : {});
  }
}

function send(message) {
  parent.postMessage(message, PARENT);
}

const digits = (value) => value.replace(/\D/g, "");

function brandOf(number) {
  if (/^4/.test(number)) return "visa";
  if (/^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/.test(number)) return "mastercard";
  if (/^3[47]/.test(number)) return "amex";
  if (/^(6011|65|64[4-9])/.test(number)) return "discover";
  if (/^3(0[0-5]|[689])/.test(number)) return "diners";
  if (/^35/.test(number)) return "jcb";
  if (/^62/.test(number)) return "unionpay";
  return "unknown";
}

const lengthOf = (brand) => ({ amex: 15, diners: 14 })[brand] ?? 16;

function luhn(number) {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card as typed, and the first error to show (Stripe's codes and messages). */
function read() {
  const number = digits(fields.number.value);
  const brand = brandOf(number);
  const [mm = "", yy = ""] = fields.expiry.value.split("/").map((part) => digits(part));
  const cvc = digits(fields.cvc.value);
  const postal = fields.postal.value.trim();
  const now = new Date();
  const errors = {};
  if (number.length >= lengthOf(brand) && !luhn(number)) errors.number = ["invalid_number", "Your card number is invalid."];
  else if (number.length < lengthOf(brand)) errors.number = ["incomplete_number", "Your card number is incomplete."];
  if (mm.length === 2 && (Number(mm) < 1 || Number(mm) > 12)) errors.expiry = ["invalid_expiry_month", "Your card's expiration date is invalid."];
  else if (mm.length < 2 || yy.length < 2) errors.expiry = ["incomplete_expiry", "Your card's expiration date is incomplete."];
  else if (2000 + Number(yy) < now.getFullYear()) errors.expiry = ["invalid_expiry_year_past", "Your card's expiration year is in the past."];
  else if (2000 + Number(yy) === now.getFullYear() && Number(mm) < now.getMonth() + 1) {
    errors.expiry = ["invalid_expiry_month_past", "Your card's expiration date is in the past."];
  }
  if (cvc.length < 3) errors.cvc = ["incomplete_cvc", "Your card's security code is incomplete."];
  if (!config.hidePostalCode && !postal) errors.postal = ["incomplete_zip", "Your postal code is incomplete."];
  return { number, brand, mm, yy, cvc, postal, errors };
}

/** An error is shown once a field is filled to length, or was left incomplete. */
function shown(card, name) {
  const error = card.errors[name];
  if (!error) return null;
  return error[0].startsWith("incomplete") && !touched.has(name) ? null : error;
}

function state() {
  const card = read();
  let error;
  for (const name of Object.keys(fields)) {
    const fieldError = shown(card, name);
    fields[name].setAttribute("aria-invalid", String(Boolean(fieldError)));
    if (fieldError && !error) error = { type: "validation_error", code: fieldError[0], message: fieldError[1] };
  }
  applyStyle();
  return {
    empty: Object.values(fields).every((input) => input.hidden || input.value === ""),
    complete: Object.keys(card.errors).length === 0,
    error,
    brand: card.brand,
    value: { postalCode: card.postal },
  };
}

function format() {
  const number = digits(fields.number.value).slice(0, 19);
  const groups = brandOf(number) === "amex" ? [4, 6, 5] : [4, 4, 4, 4, 3];
  const parts = [];
  let at = 0;
  for (const size of groups) if (at < number.length) parts.push(number.slice(at, (at += size)));
  fields.number.value = parts.join(" ");
  const expiry = digits(fields.expiry.value).slice(0, 4);
  fields.expiry.value = expiry.length > 2 ? `${expiry.slice(0, 2)} / ${expiry.slice(2)}` : expiry;
  fields.cvc.value = digits(fields.cvc.value).slice(0, 4);
}

let last = "";
function changed() {
  format();
  const event = state();
  const text = JSON.stringify(event);
  if (text !== last) send({ type: "change", event });
  last = text;
}

for (const [name, input] of Object.entries(fields)) {
  input.addEventListener("input", changed);
  input.addEventListener("blur", () => {
    if (input.value !== "") touched.add(name);
    changed();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") send({ type: "escape" });
  });
}
window.addEventListener("focus", () => send({ type: "focus" }));
window.addEventListener("blur", () => send({ type: "blur" }));

/** The billing details as Stripe's form encoding: billing_details[address][country]=… */
function flatten(prefix, value, into) {
  if (value === null || value === undefined) return into;
  if (typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) flatten(`${prefix}[${key}]`, inner, into);
  } else {
    into.append(prefix, String(value));
  }
  return into;
}

async function createPaymentMethod(billingDetails) {
  touched.add("number").add("expiry").add("cvc").add("postal");
  const current = state();
  if (!current.complete) return { validationError: current.error };
  const card = read();
  const form = new URLSearchParams({
    type: "card",
    "card[number]": card.number,
    "card[exp_month]": card.mm,
    "card[exp_year]": String(2000 + Number(card.yy)),
    "card[cvc]": card.cvc,
  });
  if (!config.hidePostalCode) {
    billingDetails = { ...billingDetails, address: { ...billingDetails.address, postal_code: card.postal } };
  }
  flatten("billing_details", billingDetails, form);
  form.append("key", config.key);
  try {
    const response = await fetch("/v1/payment_methods", { method: "POST", body: form });
    return { status: response.status, body: await response.json() };
  } catch {
    return {};
  }
}

window.addEventListener("message", async (event) => {
  if (event.source !== parent || event.origin !== PARENT || !event.data) return;
  const message = event.data;
  if (message.type === "focus") fields.number.focus();
  else if (message.type === "blur") document.activeElement?.blur();
  else if (message.type === "clear") {
    for (const input of Object.values(fields)) input.value = "";
    touched.clear();
    changed();
  } else if (message.type === "update") {
    config.style = message.style;
    applyStyle();
  } else if (message.type === "createPaymentMethod") {
    send({ type: "reply", id: message.id, ...(await createPaymentMethod(message.billing_details ?? {})) });
  }
});

applyStyle();
last = JSON.stringify(state());
send({ type: "ready" });
