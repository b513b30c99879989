// Showing what the merchant API answers: amounts as the decimal text the server sent (never
// through a float), formatted for their currency; times in the operator's time zone.

/**
 * JSON with every number kept as the text the server wrote (`25.00` stays "25.00"), through
 * JSON.parse's source text access. Amounts are never read into a float.
 */
export function parseJson(text) {
  return JSON.parse(text, (_key, value, context) =>
    typeof value === "number" ? (context?.source ?? String(value)) : value,
  );
}

/** `amount` (decimal text) in `currency`, in the browser's locale. */
export function money(amount, currency) {
  try {
    // Intl.NumberFormat formats a decimal string exactly, digit by digit.
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(String(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** An RFC 3339 time, in the operator's time zone. */
export function dateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso ?? "") : DATE_TIME.format(date);
}

/** The operator's calendar day of an RFC 3339 time, as `YYYY-MM-DD` (what a date input holds). */
export function localDay(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A decimal text as [digits as a BigInt, decimals]; `null` when it is not a plain decimal. */
function decimal(text) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
  if (!match) return null;
  const fraction = match[3] ?? "";
  return [BigInt(`${match[1]}${match[2]}${fraction}`), fraction.length];
}

/** `a - b` of two decimal texts, exactly (BigInt), as text; `null` if either is not a decimal. */
export function subtract(a, b) {
  const x = decimal(a);
  const y = decimal(b);
  if (!x || !y) return null;
  const scale = Math.max(x[1], y[1]);
  const difference = x[0] * 10n ** BigInt(scale - x[1]) - y[0] * 10n ** BigInt(scale - y[1]);
  const negative = difference < 0n;
  const digits = (negative ? -difference : difference).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** Whether two decimal texts are the same number (`25`, `25.0` and `25.00` are). */
export function sameAmount(a, b) {
  const difference = subtract(a, b);
  return difference !== null && /^-?0(\.0*)?$/.test(difference);
}

/** Whether a decimal text is above zero. */
export function isPositive(text) {
  const x = decimal(text);
  return x !== null && x[0] > 0n;
}
