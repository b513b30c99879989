// The merchant dashboard: payments (search, pages), one payment (items, buyer, attempts,
// events and their webhook deliveries, refund / mark paid / redeliver), the webhook endpoints'
// health. Everything comes from the merchant API; the events feed (GET /pay/v1/events?after=)
// is polled for live updates. Every string goes into the page as text, never as HTML.
import { api, currentSession, loadSession, signOut } from "./api.js";
import { dateTime, isPositive, localDay, money, sameAmount, subtract } from "./format.js";

const POLL_MS = 2000;
const PAGE_SIZE = 20;
const STATUSES = [
  "Undefined", "Pending", "Successful", "Failed", "Offline",
  "PartiallyRefunded", "Refunded", "Chargeback", "Cancelled",
];

const $ = (id) => document.getElementById(id);

/** `tag` with attributes (`class`, `text`, `data-*` …) and children; text is always text. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function notify(text) {
  $("notice").textContent = text;
}

/** A table in a scrollable, focusable region (narrow screens scroll it sideways). */
function table(label, headers, rows) {
  return el(
    "div",
    { class: "table-wrap", role: "region", "aria-label": label, tabindex: "0" },
    el(
      "table",
      {},
      el("caption", { class: "visually-hidden", text: label }),
      el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows),
    ),
  );
}

function badge(status) {
  return el("span", { class: `status status-${status}`, text: status });
}

function buyerName(info) {
  return [info?.firstName, info?.lastName].filter(Boolean).join(" ");
}

// --- what the events feed tells: buyers (the popup's contact details) and new events ---------

const feed = {
  cursor: undefined,
  /** payment id → the userInfo of its latest event (the buyer's details from the popup). */
  buyers: new Map(),
  /** event id → payment id. */
  paymentOfEvent: new Map(),
};

function absorb(events) {
  for (const event of events) {
    feed.paymentOfEvent.set(event.eventId, event.payment.id);
    if (event.userInfo) feed.buyers.set(event.payment.id, event.userInfo);
  }
}

async function readFeed() {
  const events = [];
  for (;;) {
    const after = feed.cursor === undefined || feed.cursor === null ? "" : `after=${feed.cursor}&`;
    const page = await api("GET", `/pay/v1/events?${after}limit=500`);
    feed.cursor = page.nextCursor ?? feed.cursor;
    events.push(...page.data);
    if (page.data.length < 500) return events;
  }
}

function buyerOf(details) {
  return details.buyer ?? feed.buyers.get(details.payment.id) ?? details.payment.userInfo ?? null;
}

// --- the views --------------------------------------------------------------------------------

/** The view on screen: `refresh(events)` is called after each poll. */
let view = null;

const shown = new WeakMap();

/**
 * Re-renders `container` with `build()` when `data` (what it shows) changed since the last
 * time, and gives the focus back to the element it was on.
 */
function rerender(container, build, data) {
  const signature = JSON.stringify(data ?? null);
  if (data !== undefined && shown.get(container) === signature) return;
  shown.set(container, signature);
  const key = document.activeElement?.closest?.("[data-key]")?.dataset.key;
  const inside = key && container.contains(document.activeElement);
  container.replaceChildren(...build());
  if (!inside) return;
  // The element the focus was on, or (when it is gone, e.g. "Mark as paid" once paid) the heading.
  const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`) ?? $("view").querySelector("h1");
  again?.focus();
}

function heading(text) {
  const h1 = el("h1", { tabindex: "-1", text });
  return h1;
}

function show(title, ...content) {
  const h1 = heading(title);
  $("view").replaceChildren(h1, ...content);
  document.title = `${title} · Pay dashboard`;
  return h1;
}

// Payments: newest first, searched on the page from the API's pages.

function readFilter(params) {
  return {
    id: params.get("id")?.trim() ?? "",
    email: params.get("email")?.trim().toLowerCase() ?? "",
    status: params.get("status") ?? "",
    amount: params.get("amount")?.trim() ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
  };
}

function matches(filter, details) {
  if (filter.status && details.status !== filter.status) return false;
  if (filter.amount && !sameAmount(details.payment.amount, filter.amount)) return false;
  const day = localDay(details.createdAt);
  if (filter.from && day < filter.from) return false;
  if (filter.to && day > filter.to) return false;
  if (filter.email) {
    const emails = [buyerOf(details)?.email, details.payment.userInfo?.email];
    if (!emails.some((e) => e && e.toLowerCase().includes(filter.email))) return false;
  }
  return true;
}

/**
 * One page of matching payments from `start` (the id after which to read, or null): reads the
 * API's pages (newest first) until `PAGE_SIZE` match or none are left.
 */
async function findPayments(filter, start) {
  if (filter.id) {
    try {
      const details = await api("GET", `/pay/v1/payments/${encodeURIComponent(filter.id)}`);
      return { rows: matches(filter, details) ? [details] : [], next: null };
    } catch (error) {
      if (error.status === 404 || error.status === 400) return { rows: [], next: null };
      throw error;
    }
  }
  const filtered = Object.values(filter).some(Boolean);
  const rows = [];
  let cursor = start;
  for (;;) {
    const query = `limit=${filtered ? 100 : PAGE_SIZE}${cursor ? `&startingAfter=${encodeURIComponent(cursor)}` : ""}`;
    const page = await api("GET", `/pay/v1/payments?${query}`);
    for (const details of page.data) {
      cursor = details.payment.id;
      if (!matches(filter, details)) continue;
      rows.push(details);
      if (rows.length === PAGE_SIZE) return { rows, next: cursor };
    }
    if (!page.hasMore) return { rows, next: null };
  }
}

function paymentRow(details) {
  const id = details.payment.id;
  const buyer = buyerOf(details);
  const items = details.payment.items.map((i) => `${i.name} × ${i.quantity}`).join(", ");
  return el(
    "tr",
    { "data-payment-id": id, "data-status": details.status },
    // The link first: on a narrow screen the table scrolls sideways, and this stays in view.
    el("td", {}, el("a", { href: `#/payments/${id}`, "data-key": `open-${id}`, class: "payment-link", "aria-label": `Payment ${id}` },
      el("code", { text: `${id.slice(0, 8)}…` }))),
    el("td", { text: dateTime(details.createdAt) }),
    el("td", { class: "amount", text: money(details.payment.amount, details.payment.currency) }),
    el("td", {}, badge(details.status)),
    el("td", { class: "buyer" }, buyer?.email ? el("span", { text: buyer.email }) : el("span", { class: "muted", text: "—" })),
    el("td", { class: "items", text: items }),
  );
}

function searchForm(filter) {
  const field = (name, label, attributes = {}) =>
    el("div", { class: "field" },
      el("label", { for: `search-${name}`, text: label }),
      el("input", { id: `search-${name}`, name, value: filter[name], ...attributes }));
  const status = el("select", { id: "search-status", name: "status" },
    el("option", { value: "", text: "Any status" }),
    ...STATUSES.map((s) => el("option", { value: s, text: s, selected: filter.status === s })));
  const form = el("form", { role: "search", class: "search card", "aria-label": "Search payments" },
    field("id", "Payment id", { spellcheck: "false", autocomplete: "off" }),
    field("email", "Buyer email", { type: "search", autocomplete: "off" }),
    el("div", { class: "field" }, el("label", { for: "search-status", text: "Status" }), status),
    field("amount", "Amount", { inputmode: "decimal", autocomplete: "off" }),
    field("from", "From", { type: "date" }),
    field("to", "To", { type: "date" }),
    el("div", { class: "buttons" },
      el("button", { type: "submit", text: "Search" }),
      el("button", { type: "button", class: "secondary", text: "Clear", onclick: () => go("#/payments") })),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (String(value).trim()) params.set(name, String(value).trim());
    const query = params.toString();
    go(query ? `#/payments?${query}` : "#/payments");
  });
  return form;
}

async function paymentsView(params) {
  const filter = readFilter(params);
  const filtered = Object.values(filter).some(Boolean);
  const starts = [null];
  const results = el("div", { id: "payments" });
  const pager = el("nav", { class: "pager", "aria-label": "Pages of payments" });
  show("Payments", searchForm(filter), results, pager);
  let page = await findPayments(filter, null);

  const render = () => {
    rerender(results, () => page.rows.length
      ? [table("Payments, newest first", ["Payment", "Created", "Amount", "Status", "Buyer", "Items"], page.rows.map(paymentRow))]
      : [el("p", { class: "empty card", text: filtered ? "No payment matches this search." : "No payments yet." })],
    { rows: page.rows, buyers: page.rows.map((d) => buyerOf(d)) });
    rerender(pager, () => [
      starts.length > 1 ? el("button", { type: "button", class: "secondary", "data-key": "previous", text: "Previous page", onclick: () => move(-1) }) : null,
      el("span", { class: "page-number", text: `Page ${starts.length}` }),
      page.next ? el("button", { type: "button", class: "secondary", "data-key": "next", text: "Next page", onclick: () => move(1) }) : null,
    ].filter(Boolean), { page: starts.length, next: page.next });
  };
  const move = async (step) => {
    const start = step > 0 ? page.next : starts[starts.length - 2];
    try {
      page = await findPayments(filter, start);
    } catch (error) {
      notify(`Could not load that page: ${error.message}`);
      return;
    }
    if (step > 0) starts.push(start);
    else starts.pop();
    render();
    results.querySelector("a")?.focus();
  };
  render();
  return {
    async refresh(events) {
      // New payments have no event yet: the unfiltered first page is read again every time.
      if (!events.length && (filtered || starts.length > 1)) return;
      page = await findPayments(filter, starts[starts.length - 1]);
      render();
    },
  };
}

// One payment.

async function deliveriesByEndpoint() {
  const names = currentSession()?.webhooks ?? [];
  const entries = await Promise.all(
    names.map(async (name) => [name, await api("GET", `/pay/v1/webhooks/${encodeURIComponent(name)}/deliveries`)]),
  );
  return new Map(entries);
}

function eventDeliveries(event, byEndpoint) {
  const rows = [];
  for (const [name, deliveries] of byEndpoint) {
    const tries = deliveries.log.filter((t) => t.eventId === event.eventId);
    const last = tries[0];
    rows.push(el("tr", { "data-endpoint": name, "data-state": last ? last.outcome : "pending" },
      el("th", { scope: "row", text: name }),
      el("td", { class: "delivery-state", text: last ? last.outcome : "pending" }),
      el("td", { class: "tries", text: String(tries.length) }),
      el("td", { class: "response", text: last?.statusCode ?? (last?.error ? "no answer" : "—") }),
      el("td", { class: "when", text: last ? dateTime(last.at) : "—" }),
    ));
  }
  if (!rows.length) return el("p", { class: "muted", text: "No webhook endpoints are configured." });
  return table(`Deliveries of event ${event.sequence}`, ["Endpoint", "State", "Tries", "Last response", "Last try"], rows);
}

function refundForm(details, id) {
  const left = subtract(details.payment.amount, details.refundedAmount);
  const currency = details.payment.currency;
  const input = el("input", { id: "refund-amount", name: "amount", inputmode: "decimal", autocomplete: "off",
    "aria-describedby": "refund-left", "data-key": "refund-amount" });
  // Money moves only after a second, explicit step that states the amount and what is left.
  const confirmation = el("div", { id: "refund-confirm", class: "confirm", role: "group",
    "aria-labelledby": "refund-confirm-text", hidden: true });
  const dismiss = () => {
    confirmation.hidden = true;
    confirmation.replaceChildren();
  };
  const ask = (amount, body) => {
    const after = left === null ? null : subtract(left, amount);
    if (after !== null && after.startsWith("-")) {
      notify(`Refund refused: at most ${money(left, currency)} is left to refund.`);
      input.focus();
      return;
    }
    const what = money(amount, currency);
    const rest = after === null ? "" : ` ${money(after, currency)} will be left to refund.`;
    confirmation.replaceChildren(
      el("p", { id: "refund-confirm-text", text: `Refund ${what} of the ${money(details.payment.amount, currency)} paid?${rest}` }),
      el("button", { type: "button", "data-key": "refund-confirm", text: `Confirm the refund of ${what}`,
        onclick: async () => {
          dismiss();
          if (await refund(id, body)) input.value = "";
        } }),
      el("button", { type: "button", class: "secondary", "data-key": "refund-cancel", text: "Cancel",
        onclick: () => {
          dismiss();
          input.focus();
        } }),
    );
    confirmation.hidden = false;
    confirmation.querySelector("button").focus();
  };
  const form = el("form", { class: "refund", "aria-label": "Refund" },
    el("label", { for: "refund-amount", text: "Amount to refund" }),
    input,
    el("button", { type: "submit", "data-key": "refund-part", text: "Refund this amount" }),
    el("button", { type: "button", class: "secondary", "data-key": "refund-all", text: "Refund all that is left",
      onclick: () => ask(left ?? details.payment.amount, {}) }),
    el("p", { id: "refund-left", class: "muted", text: left === null ? "" : `Up to ${money(left, currency)} can be refunded.` }),
    confirmation,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = input.value.trim();
    if (!isPositive(amount)) {
      notify("Enter an amount above 0 to refund, or use “Refund all that is left”.");
      input.focus();
      return;
    }
    // The text the operator typed goes as it is: the server checks it against the currency.
    ask(amount, { amount });
  });
  return form;
}

async function refund(id, body) {
  try {
    const refund = await api("POST", `/pay/v1/payments/${encodeURIComponent(id)}/refunds`, body);
    const amount = money(refund.amount, view?.currency ?? "USD");
    notify(refund.state === "pending"
      ? `Refund of ${amount} accepted: the provider confirms it later (the payment stays ${refund.status} until then).`
      : `Refunded ${amount}: the payment is now ${refund.status}.`);
    await view?.refresh([]);
    return true;
  } catch (error) {
    notify(error.code === "refund_refused" ? `Refund refused by the provider: ${error.message}` : `Refund refused: ${error.message}`);
    return false;
  }
}

async function action(label, method, path, done) {
  try {
    const answer = await api(method, path);
    notify(done(answer));
    await view?.refresh([]);
  } catch (error) {
    notify(`${label} refused: ${error.message}`);
  }
}

function actions(details) {
  const id = details.payment.id;
  const path = (tail) => `/pay/v1/payments/${encodeURIComponent(id)}/${tail}`;
  const testPath = (tail) => `/pay/v1/test/payments/${encodeURIComponent(id)}/${tail}`;
  const parts = [];
  if (details.status === "Successful" || details.status === "PartiallyRefunded") parts.push(refundForm(details, id));
  if (details.status === "Offline") {
    parts.push(el("button", { type: "button", "data-key": "mark-paid", text: "Mark as paid",
      onclick: () => action("Marking as paid", "POST", path("mark-paid"), (d) => `Marked as paid: the payment is now ${d.status}.`) }));
  }
  if (currentSession()?.testMode) {
    if (details.status === "Pending") {
      parts.push(el("button", { type: "button", class: "sandbox", "data-key": "settle", text: "Settle now (test mode)",
        onclick: () => action("Settling", "POST", testPath("settle"), (d) => `Settled: the payment is now ${d.status}.`) }));
    }
    if (details.status === "Successful") {
      parts.push(el("button", { type: "button", class: "sandbox", "data-key": "chargeback", text: "Raise a chargeback (test mode)",
        onclick: () => action("The chargeback", "POST", testPath("chargeback"), (d) => `Chargeback raised: the payment is now ${d.status}.`) }));
    }
  }
  return parts.length ? parts : [el("p", { class: "muted", text: `Nothing to do on a ${details.status} payment.` })];
}

function definitions(pairs) {
  return el("dl", { class: "facts" }, ...pairs.flatMap(([term, value]) => [
    el("dt", { text: term }),
    el("dd", {}, value instanceof Node ? value : document.createTextNode(value ?? "—")),
  ]));
}

async function paymentView(id) {
  const summary = el("div", { id: "summary" });
  const actionsBox = el("div", { id: "actions", class: "card" });
  const items = el("div", { id: "items" });
  const buyer = el("div", { id: "buyer" });
  const attempts = el("div", { id: "attempts" });
  const events = el("div", { id: "events" });
  // Sections without a name (the tables inside are the named regions).
  const section = (title, body) => el("section", {}, el("h2", { id: `h-${body.id}`, text: title }), body);
  show("Payment",
    el("p", {}, el("a", { href: "#/payments", text: "← All payments" })),
    summary,
    section("Actions", actionsBox),
    section("Items", items),
    section("Buyer", buyer),
    section("Attempts", attempts),
    section("Events and their webhook deliveries", events));

  const state = { currency: "USD" };
  const load = async () => {
    const [details, eventList, byEndpoint] = await Promise.all([
      api("GET", `/pay/v1/payments/${encodeURIComponent(id)}`),
      api("GET", `/pay/v1/payments/${encodeURIComponent(id)}/events`),
      deliveriesByEndpoint(),
    ]);
    absorb(eventList.data);
    state.currency = details.payment.currency;
    const currency = details.payment.currency;
    rerender(summary, () => [definitions([
      ["Amount", el("span", { class: "amount", text: money(details.payment.amount, currency) })],
      ["Status", el("span", { id: "payment-status", "data-status": details.status }, badge(details.status))],
      ["Refunded", money(details.refundedAmount, currency)],
      ["Payment id", el("code", { text: id })],
      ["Transaction id", details.transactionId ?? "—"],
      ["Created", dateTime(details.createdAt)],
      ["Updated", dateTime(details.updatedAt)],
    ])], details);
    // The actions keep what the operator is typing: rebuilt only when the status changes.
    rerender(actionsBox, () => actions(details), [details.status, details.refundedAmount]);
    rerender(items, () => [table("Items", ["Item", "Price", "Quantity"], details.payment.items.map((item) =>
      el("tr", {}, el("td", { text: item.name }), el("td", { class: "amount", text: money(item.price, currency) }),
        el("td", { text: item.quantity }))))], details.payment.items);
    const who = buyerOf(details);
    rerender(buyer, () => [who ? definitions([
      ["Name", buyerName(who) || "—"], ["Email", who.email ?? "—"], ["Phone", who.phone ?? "—"],
      ["Country", who.countryCode ?? who.country ?? "—"],
    ]) : el("p", { class: "muted", text: "No contact details yet." })], who);
    rerender(attempts, () => [details.attempts.length ? table("Attempts", ["Time", "Method", "Card", "Outcome", "Decline"],
      details.attempts.map((a) => el("tr", { "data-attempt-id": a.attemptId },
        el("td", { text: dateTime(a.createdAt) }),
        el("td", { text: a.method }),
        el("td", { class: "card-used", text: a.cardLast4 ? `${a.cardBrand ?? "card"} •••• ${a.cardLast4}` : "—" }),
        el("td", { text: a.state === "processing" ? "processing" : (a.status ?? "—") }),
        el("td", { text: a.declineCode ?? "—" }))))
      : el("p", { class: "muted", text: "No attempt yet." })], details.attempts);
    rerender(events, () => [eventList.data.length
      ? el("ol", { class: "events" }, ...eventList.data.map((event) => el("li", { class: "event", "data-event-id": event.eventId, "data-status": event.status },
        el("h3", {}, el("span", { class: "sequence", text: `#${event.sequence} ` }), badge(event.status),
          el("span", { class: "when", text: ` ${dateTime(event.createdAt)}` })),
        el("p", { class: "muted" }, "Event ", el("code", { text: event.eventId })),
        eventDeliveries(event, byEndpoint),
        el("button", { type: "button", class: "secondary", "data-key": `redeliver-${event.eventId}`,
          "aria-label": `Redeliver event ${event.sequence} (${event.status})`, text: "Redeliver",
          onclick: () => action("Redelivery", "POST", `/pay/v1/events/${encodeURIComponent(event.eventId)}/redeliver`,
            (d) => `Event ${event.sequence} queued again for ${d.queued} target(s).`) }))))
      : el("p", { class: "muted", text: "No event yet: events come with each status change." })],
    [eventList.data, [...byEndpoint]]);
  };
  try {
    await load();
  } catch (error) {
    if (error.status === 404 || error.status === 400) {
      show("Payment not found", el("p", { text: `There is no payment ${id}.` }), el("p", {}, el("a", { href: "#/payments", text: "All payments" })));
      return null;
    }
    throw error;
  }
  return {
    get currency() { return state.currency; },
    // Deliveries change without new events: read again at every poll.
    refresh: load,
  };
}

// Webhook endpoints.

async function webhooksView() {
  const body = el("div", { id: "endpoints" });
  show("Webhook endpoints", body);
  const load = async () => {
    const byEndpoint = await deliveriesByEndpoint();
    rerender(body, () => byEndpoint.size ? [...byEndpoint].map(([name, deliveries]) => {
      const failures = deliveries.log.filter((t) => t.outcome !== "delivered").slice(0, 10);
      const c = deliveries.counts;
      const health = c.dead > 0 ? "dead deliveries" : c.pending > 0 ? "deliveries pending" : "healthy";
      return el("section", { class: "card endpoint", "data-endpoint": name, "aria-labelledby": `endpoint-${name}` },
        el("h2", { id: `endpoint-${name}`, text: name }),
        el("p", { class: "health", text: `Health: ${health}` }),
        definitions([["Pending", String(c.pending)], ["Delivered", String(c.delivered)], ["Dead", String(c.dead)]]),
        el("h3", { text: "Last failures" }),
        failures.length ? table(`Last failures of ${name}`, ["Time", "Event", "Try", "Response", "Error"], failures.map((t) => {
          const payment = feed.paymentOfEvent.get(t.eventId);
          return el("tr", { "data-outcome": t.outcome },
            el("td", { text: dateTime(t.at) }),
            el("td", {}, payment ? el("a", { href: `#/payments/${payment}`, text: t.eventId }) : el("code", { text: t.eventId })),
            el("td", { text: `${t.attempt} (${t.outcome})` }),
            el("td", { text: t.statusCode ?? "no answer" }),
            el("td", { text: t.error ?? "—" }));
        })) : el("p", { class: "muted", text: "No failure among the last tries." }));
    }) : [el("p", { class: "empty card", text: "No webhook endpoints are configured (the webhooks setting)." })],
    [...byEndpoint]);
  };
  await load();
  return { refresh: load };
}

// --- routing and polling ------------------------------------------------------------------------

/** Shows `hash`: a new one through the history, the same one again by rendering it anew. */
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

let renders = 0;

async function route() {
  const hash = location.hash.replace(/^#/, "") || "/payments";
  const [path, query = ""] = hash.split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === parts[0]) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  view = null;
  notify("");
  try {
    if (parts[0] === "payments" && parts[1]) view = await paymentView(decodeURIComponent(parts[1]));
    else if (parts[0] === "webhooks") view = await webhooksView();
    else view = await paymentsView(params);
  } catch (error) {
    notify(`Could not load this page: ${error.message}`);
  }
  $("view").querySelector("h1")?.focus();
  // How many views have been shown (tests wait on it).
  renders += 1;
  document.body.dataset.renders = String(renders);
}

let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try {
    const events = await readFeed();
    absorb(events);
    await view?.refresh(events);
    $("live").textContent = `Live: updated ${new Intl.DateTimeFormat(undefined, { timeStyle: "medium" }).format(new Date())}`;
  } catch (error) {
    $("live").textContent = `Live updates paused: ${error.message}`;
  } finally {
    polling = false;
  }
}

async function start() {
  const session = await loadSession();
  if (!session) {
    window.location.replace("/dashboard/sign-in.html");
    return;
  }
  $("sign-out").addEventListener("click", async () => {
    try {
      await signOut();
    } finally {
      window.location.replace("/dashboard/sign-in.html");
    }
  });
  absorb(await readFeed());
  window.addEventListener("hashchange", route);
  await route();
  setInterval(poll, POLL_MS);
}

start().catch((error) => notify(`The dashboard could not start: ${error.message}`));
