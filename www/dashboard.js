// The merchant dashboard of the demo: every payment with its status and the events it
// produced, refreshed every second, with the merchant's actions (refund, mark paid).
// The page cannot hold the secret key: it calls the demo's own /api/dashboard/ routes, which
// call the Pay Rust API on the server. Every string goes into the page as text.

const POLL_MS = 1000;

const $ = (id) => document.getElementById(id);

/** `tag` with `className` and `text` (as text, never HTML). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function money(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

function time(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleTimeString();
}

function notify(text) {
  $("notice").textContent = text;
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message ?? `HTTP ${response.status}`);
    error.code = data.code;
    throw error;
  }
  return data;
}

// --- one row per payment, created once and updated in place ------------------------------
// (re-creating rows every second would steal the focus and the partial refund's input)

const rows = new Map();

function createRow(id) {
  const tr = el("tr", "payment-row");
  tr.dataset.paymentId = id;

  const who = el("td", "payment-cell");
  const items = el("div", "items");
  const ref = el("div", "payment-id");
  const code = el("code", "", `${id.slice(0, 8)}…`);
  code.title = id;
  ref.append("id ", code);
  const created = el("div", "created");
  const attempts = el("div", "attempts");
  who.append(items, ref, created, attempts);

  const amount = el("td", "amount");
  const status = el("td", "status-cell");
  const badge = el("span", "status");
  const statusNote = el("div", "status-note");
  status.append(badge, statusNote);

  const eventsCell = el("td", "events-cell");
  const events = el("ol", "events");
  const noEvents = el("p", "no-events", "none yet");
  eventsCell.append(events, noEvents);

  const actions = el("td", "actions");
  const short = id.slice(0, 8);

  const refundAll = el("button", "refund-all", "Refund all");
  refundAll.type = "button";
  refundAll.setAttribute("aria-label", `Refund all: payment ${short}`);
  refundAll.addEventListener("click", () => refund(id, undefined, refundAll));

  const partial = el("form", "partial");
  const inputId = `refund-${id}`;
  const label = el("label", "", "Amount to refund");
  label.htmlFor = inputId;
  const input = el("input", "");
  input.id = inputId;
  input.type = "text";
  input.inputMode = "decimal";
  input.autocomplete = "off";
  input.size = 7;
  input.setAttribute("aria-describedby", `refund-left-${id}`);
  const left = el("span", "left");
  left.id = `refund-left-${id}`;
  const refundPart = el("button", "refund-part", "Refund");
  refundPart.type = "submit";
  refundPart.setAttribute("aria-label", `Refund: payment ${short}, the amount entered`);
  partial.append(label, input, refundPart, left);
  partial.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!/^\d+(\.\d+)?$/.test(value)) {
      notify("Enter an amount such as 5.00.");
      input.focus();
      return;
    }
    // A decimal string: the server reads it exactly (no float rounding).
    refund(id, value, refundPart).then((ok) => {
      if (ok) input.value = "";
    });
  });

  const markPaid = el("button", "mark-paid", "Mark as paid");
  markPaid.type = "button";
  markPaid.setAttribute("aria-label", `Mark as paid: payment ${short}`);
  markPaid.addEventListener("click", () => markAsPaid(id, markPaid));

  const settle = el("button", "sandbox settle", "Settle now");
  settle.type = "button";
  settle.setAttribute("aria-label", `Settle now: payment ${short} (sandbox)`);
  settle.addEventListener("click", () =>
    sandboxAction(id, "settle", settle, (status) => `Payment ${short} settled: it is now ${status}.`),
  );

  const dispute = el("button", "sandbox chargeback", "Chargeback");
  dispute.type = "button";
  dispute.setAttribute("aria-label", `Chargeback: payment ${short} (sandbox)`);
  dispute.addEventListener("click", () =>
    sandboxAction(id, "chargeback", dispute, (status) => `The card holder disputed payment ${short}: it is now ${status}.`),
  );

  const noActions = el("span", "no-actions", "—");
  actions.append(markPaid, settle, refundAll, partial, dispute, noActions);
  tr.append(who, amount, status, eventsCell, actions);

  return {
    tr,
    items,
    created,
    attempts,
    amount,
    badge,
    statusNote,
    events,
    noEvents,
    refundAll,
    partial,
    left,
    markPaid,
    settle,
    dispute,
    noActions,
    eventsKey: null,
  };
}

function brandName(brand) {
  if (!brand) return "card";
  return brand === "amex" ? "American Express" : brand.charAt(0).toUpperCase() + brand.slice(1);
}

const STATUS_NOTES = {
  Undefined: "created, not paid yet",
  Pending: "waiting for the card network",
  Offline: "to be paid later; mark it paid when the money arrives",
  Failed: "declined, nothing charged; the visitor may try again",
  Successful: "paid",
  PartiallyRefunded: "paid, part refunded",
  Refunded: "paid, then refunded in full",
  Chargeback: "the card holder disputed it",
};

function hookMark(event, hookLogSinceMs) {
  if (event.receivedByHook) return el("span", "hook hook-received", "✓ hook");
  if (Date.parse(event.createdAt) < hookLogSinceMs) {
    // The demo keeps its hook's log in memory: a restart forgets what was delivered before.
    const mark = el("span", "hook hook-earlier", "hook: before restart");
    mark.title = "Delivered before the server restarted (the demo's hook log is kept in memory)";
    return mark;
  }
  return el("span", "hook hook-waiting", "… hook");
}

function updateRow(row, entry, testMode, hookLogSinceMs) {
  const { payment, status } = entry;
  row.tr.dataset.status = status;
  row.items.textContent = payment.items
    .map((item) => `${item.name} × ${item.quantity}`)
    .join(", ");
  row.created.textContent = `created ${time(entry.createdAt)}`;
  const last = entry.attempts.at(-1);
  row.attempts.textContent =
    entry.attempts.length === 0
      ? "no attempt yet"
      : `${entry.attempts.length} attempt${entry.attempts.length > 1 ? "s" : ""}, last: ${
          last.method === "card" ? `${brandName(last.cardBrand)} •••• ${last.cardLast4 ?? "????"}` : "pay later"
        }${last.declineCode ? ` (${last.declineCode.replaceAll("_", " ")})` : ""}`;

  row.amount.textContent = money(payment.amount, payment.currency);
  if (Number(entry.refundedAmount) > 0) {
    row.amount.append(el("div", "refunded", `refunded ${money(entry.refundedAmount, payment.currency)}`));
  }

  row.badge.textContent = status;
  row.badge.className = `status status-${status}`;
  row.statusNote.textContent =
    status === "Pending"
      ? "the provider settles it in a few seconds"
      : STATUS_NOTES[status] ?? "";

  const key = entry.events.map((e) => `${e.eventId}:${e.receivedByHook}`).join(",");
  if (key !== row.eventsKey) {
    row.eventsKey = key;
    row.events.replaceChildren(
      ...entry.events.map((event) => {
        const li = el("li", "event");
        li.dataset.status = event.status;
        li.append(
          el("span", "sequence", `#${event.sequence}`),
          " ",
          el("span", `status status-${event.status}`, event.status),
          " ",
          el("span", "event-time", time(event.createdAt)),
          " ",
          hookMark(event, hookLogSinceMs),
        );
        li.title = `eventId ${event.eventId}`;
        return li;
      }),
    );
    row.noEvents.hidden = entry.events.length > 0;
  }

  const refundable = ["Successful", "PartiallyRefunded"].includes(status);
  row.refundAll.hidden = !refundable;
  row.partial.hidden = !refundable;
  row.left.textContent = refundable ? `up to ${money(entry.refundableAmount, payment.currency)}` : "";
  row.markPaid.hidden = status !== "Offline";
  row.settle.hidden = !(testMode && status === "Pending");
  row.dispute.hidden = !(testMode && status === "Successful");
  row.noActions.hidden = refundable || status === "Offline" || !row.settle.hidden;
}

function render(data) {
  const body = $("payment-rows");
  const seen = new Set();
  let previous = null;
  for (const entry of data.data) {
    const id = entry.payment.id;
    seen.add(id);
    let row = rows.get(id);
    if (!row) {
      row = createRow(id);
      rows.set(id, row);
    }
    updateRow(row, entry, data.testMode, data.hookLogSinceMs);
    // Keep the server's order (newest first) without moving rows that are in place.
    const wanted = previous ? previous.nextSibling : body.firstChild;
    if (wanted !== row.tr) body.insertBefore(row.tr, wanted);
    previous = row.tr;
  }
  for (const [id, row] of rows) {
    if (!seen.has(id)) {
      row.tr.remove();
      rows.delete(id);
    }
  }
  $("payments").hidden = data.data.length === 0;
  $("empty").hidden = data.data.length > 0;
  $("updated").textContent = `Last refresh ${new Date().toLocaleTimeString()}.`;
}

// --- actions -------------------------------------------------------------------------------

async function refund(id, amount, button) {
  button.disabled = true;
  try {
    const result = await call(
      "POST",
      `/api/dashboard/payments/${encodeURIComponent(id)}/refund`,
      amount === undefined ? {} : { amount },
    );
    notify(`Refunded ${result.amount} on payment ${id.slice(0, 8)}: it is now ${result.status}.`);
    await refresh();
    return true;
  } catch (error) {
    notify(`Refund refused: ${error.message}`);
    return false;
  } finally {
    button.disabled = false;
  }
}

async function markAsPaid(id, button) {
  button.disabled = true;
  try {
    const result = await call("POST", `/api/dashboard/payments/${encodeURIComponent(id)}/mark-paid`);
    notify(`Payment ${id.slice(0, 8)} marked as paid: it is now ${result.status}.`);
    await refresh();
  } catch (error) {
    notify(`Could not mark it paid: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

async function sandboxAction(id, action, button, describe) {
  button.disabled = true;
  try {
    const result = await call("POST", `/api/dashboard/payments/${encodeURIComponent(id)}/${action}`);
    notify(describe(result.status));
    await refresh();
  } catch (error) {
    notify(`Refused: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

// --- polling -------------------------------------------------------------------------------

let inFlight = false;

async function refresh() {
  if (inFlight) return;
  inFlight = true;
  try {
    render(await call("GET", "/api/dashboard/payments"));
  } catch (error) {
    $("updated").textContent = `Refresh failed (${error.message}); trying again.`;
  } finally {
    inFlight = false;
  }
}

refresh();
setInterval(refresh, POLL_MS);
