// A Stripe.js test double for Pay's offline tests: defines `window.Stripe` with the few calls
// Pay makes (see README.md beside this file). The card fields live in a frame served by the
// double's own server (another origin than the page); this script talks to that frame by
// postMessage only and never sees a card number.
//
// A classic script (no import/export at the top level), so the types come from
// `import("@stripe/stripe-js")` and the code runs inside one function.

type StripeInstance = import("@stripe/stripe-js").Stripe;
type StripeConstructorOptions = import("@stripe/stripe-js").StripeConstructorOptions;
type StripeElements = import("@stripe/stripe-js").StripeElements;
type StripeElementsOptions = import("@stripe/stripe-js").StripeElementsOptions;
type StripeCardElement = import("@stripe/stripe-js").StripeCardElement;
type StripeCardElementOptions = import("@stripe/stripe-js").StripeCardElementOptions;
type StripeCardElementUpdateOptions = import("@stripe/stripe-js").StripeCardElementUpdateOptions;
type StripeCardElementChangeEvent = import("@stripe/stripe-js").StripeCardElementChangeEvent;
type StripeError = import("@stripe/stripe-js").StripeError;
type PaymentIntent = import("@stripe/stripe-js").PaymentIntent;
type PaymentMethod = import("@stripe/stripe-js").PaymentMethod;
type PaymentMethodResult = import("@stripe/stripe-js").PaymentMethodResult;
type PaymentIntentOrSetupIntentResult = import("@stripe/stripe-js").PaymentIntentOrSetupIntentResult;

// What the double implements, in the package's own types: the methods it has of `Stripe` are
// `Pick`ed from it (so the implementations below must fit every overload), and the Elements
// group is narrowed to the `card` overloads, which the package's `StripeElements` must still
// have (the check after it). A signature that drifts in a new @stripe/stripe-js fails `tsc`.
type DoubleStripe = Pick<StripeInstance, "createPaymentMethod" | "handleNextAction"> & {
  elements(options?: StripeElementsOptions): DoubleElements;
};
interface DoubleElements {
  create(elementType: "card", options?: StripeCardElementOptions): StripeCardElement;
  getElement(elementType: "card"): StripeCardElement | null;
}
type DoubleConstructor = (publishableKey: string, options?: StripeConstructorOptions) => DoubleStripe;
type Holds<T extends true> = T;
type StripeDoubleChecks = [
  // Stripe.js's objects can stand where the double's do: same members, same signatures.
  Holds<StripeInstance extends DoubleStripe ? true : false>,
  Holds<StripeElements extends DoubleElements ? true : false>,
  // The factory takes what `window.Stripe` (StripeConstructor) takes.
  Holds<Parameters<import("@stripe/stripe-js").StripeConstructor> extends Parameters<DoubleConstructor> ? true : false>,
  Holds<Parameters<DoubleConstructor> extends Parameters<import("@stripe/stripe-js").StripeConstructor> ? true : false>,
];

(() => {
  /** Stripe.js throws errors of this name for integration mistakes. */
  class IntegrationError extends Error {
    constructor(message: string) {
      super(message);
      this.name = "IntegrationError";
    }
  }

  const script = document.currentScript as HTMLScriptElement | null;
  if (!script) throw new Error("the Stripe.js double must be loaded by a <script> element");
  /** The double's server: the frames' origin, and the API's. */
  const SERVER = new URL(script.src).origin;

  const NOT_MOUNTED =
    "We could not retrieve data from the specified Element. Please make sure the Element you are attempting to use is still mounted.";
  const DESTROYED = "This Element has already been destroyed. Please create a new one.";
  const AUTHENTICATION_FAILED =
    "We are unable to authenticate your payment method. Please choose a different payment method and try again.";

  type Handler = (event: any) => any;
  type FrameMessage = { type: string; [key: string]: any };

  /** What the double keeps about a card Element; the Element itself is the public object. */
  interface CardState {
    key: string;
    locale: string;
    options: StripeCardElementOptions;
    handlers: Map<string, Set<Handler>>;
    frame: HTMLIFrameElement | null;
    ready: boolean;
    destroyed: boolean;
    group: { card: StripeCardElement | null };
    pending: Map<number, (reply: FrameMessage) => void>;
  }
  const cards = new WeakMap<object, CardState>();
  let nextRequest = 1;

  // One listener for every frame of this page: only the double's origin, only from a frame we made.
  const frameListeners = new Map<Window, (message: FrameMessage) => void>();
  window.addEventListener("message", (event) => {
    if (event.origin !== SERVER || !event.source) return;
    const listener = frameListeners.get(event.source as Window);
    if (listener && event.data && typeof event.data.type === "string") listener(event.data);
  });

  function post(frame: HTMLIFrameElement, message: FrameMessage) {
    frame.contentWindow?.postMessage(message, SERVER);
  }

  function frameUrl(path: string, config: object) {
    return `${SERVER}${path}#${encodeURIComponent(JSON.stringify({ origin: location.origin, ...config }))}`;
  }

  function emit(state: CardState, type: string, event: object) {
    for (const handler of [...(state.handlers.get(type) ?? [])]) handler(event);
  }

  function resolveHost(domElement: string | HTMLElement): HTMLElement {
    if (typeof domElement === "string") {
      const found = document.querySelector(domElement);
      if (!found) {
        throw new IntegrationError(
          `The selector you specified (${domElement}) applies to no DOM elements that are currently on the page. Make sure the element exists on the page before calling mount().`,
        );
      }
      domElement = found as HTMLElement;
    }
    if (!(domElement instanceof HTMLElement)) {
      throw new IntegrationError("Invalid DOM element. Make sure to call mount() with a valid DOM element or selector.");
    }
    if (domElement.getRootNode() instanceof ShadowRoot) {
      throw new IntegrationError("Elements cannot be mounted in a ShadowRoot. Please mount in the Light DOM.");
    }
    return domElement;
  }

  function createCard(key: string, locale: string, options: StripeCardElementOptions, group: CardState["group"]) {
    const state: CardState = {
      key, locale, options, group, handlers: new Map(), frame: null, ready: false, destroyed: false, pending: new Map(),
    };
    const alive = () => {
      if (state.destroyed) throw new IntegrationError(DESTROYED);
    };
    const unmount = () => {
      if (!state.frame) return;
      frameListeners.delete(state.frame.contentWindow as Window);
      state.frame.remove();
      state.frame = null;
      state.ready = false;
      for (const reply of state.pending.values()) reply({ type: "gone" });
      state.pending.clear();
    };
    const onMessage = (message: FrameMessage) => {
      if (message.type === "ready") {
        state.ready = true;
        emit(state, "ready", { elementType: "card" });
      } else if (message.type === "change") {
        const event: StripeCardElementChangeEvent = { elementType: "card", ...message.event };
        emit(state, "change", event);
      } else if (message.type === "focus" || message.type === "blur" || message.type === "escape") {
        emit(state, message.type, { elementType: "card" });
      } else if (message.type === "reply") {
        state.pending.get(message.id)?.(message);
        state.pending.delete(message.id);
      }
    };
    const card: StripeCardElement = {
      mount(domElement) {
        alive();
        const host = resolveHost(domElement);
        if (state.frame) {
          if (state.frame.parentElement === host) return;
          throw new IntegrationError("This Element is already mounted. Use `unmount()` to unmount the Element before re-mounting.");
        }
        const frame = document.createElement("iframe");
        frame.title = "Secure card payment input frame";
        frame.setAttribute("frameborder", "0");
        frame.setAttribute("scrolling", "no");
        frame.style.cssText = "border: none; width: 100%; height: 44px; display: block; background: transparent;";
        frame.src = frameUrl("/elements/card", {
          key: state.key, locale: state.locale, style: state.options.style ?? {}, hidePostalCode: state.options.hidePostalCode === true,
        });
        host.appendChild(frame);
        state.frame = frame;
        frameListeners.set(frame.contentWindow as Window, onMessage);
      },
      unmount() {
        alive();
        unmount();
      },
      destroy() {
        alive();
        unmount();
        state.destroyed = true;
        state.handlers.clear();
        if (state.group.card === card) state.group.card = null;
      },
      focus() {
        alive();
        if (state.frame) {
          state.frame.focus();
          post(state.frame, { type: "focus" });
        }
      },
      blur() {
        alive();
        if (state.frame) post(state.frame, { type: "blur" });
      },
      clear() {
        alive();
        if (state.frame) post(state.frame, { type: "clear" });
      },
      update(options: StripeCardElementUpdateOptions) {
        alive();
        Object.assign(state.options, options);
        if (state.frame) post(state.frame, { type: "update", style: state.options.style ?? {} });
      },
      on(eventType: string, handler: Handler) {
        alive();
        if (!state.handlers.has(eventType)) state.handlers.set(eventType, new Set());
        state.handlers.get(eventType)!.add(handler);
        return card;
      },
      once(eventType: string, handler: Handler) {
        const once = (event: unknown) => {
          state.handlers.get(eventType)?.delete(once);
          handler(event);
        };
        return card.on(eventType as "change", once);
      },
      off(eventType: string, handler?: Handler) {
        alive();
        if (handler) state.handlers.get(eventType)?.delete(handler);
        else state.handlers.delete(eventType);
        return card;
      },
    };
    cards.set(card, state);
    return card;
  }

  /** Asks a card's frame something and waits for its reply. */
  function ask(state: CardState, message: FrameMessage): Promise<FrameMessage> {
    return new Promise((resolve) => {
      const id = nextRequest++;
      state.pending.set(id, resolve);
      post(state.frame!, { ...message, id });
    });
  }

  /** Stripe.js hands an API error body's `error` back as it is; the double keeps its known fields. */
  function apiError(status: number, body: any): StripeError {
    const error = body && typeof body.error === "object" ? body.error : null;
    if (!error || typeof error.type !== "string") {
      return { type: "api_error", message: `Unexpected answer from the API (HTTP ${status}).` };
    }
    const mapped: StripeError = { type: error.type };
    for (const field of ["code", "decline_code", "message", "param", "doc_url", "charge"] as const) {
      if (typeof error[field] === "string") mapped[field] = error[field];
    }
    return mapped;
  }

  const CONNECTION_ERROR: StripeError = {
    type: "api_connection_error",
    message: "An error occurred with our connection to Stripe.",
  };

  async function api(path: string): Promise<{ status: number; body: any } | null> {
    try {
      const response = await fetch(SERVER + path);
      return { status: response.status, body: await response.json() };
    } catch {
      return null;
    }
  }

  /** The 3-D Secure challenge: a full-screen overlay in this document, its frame from the double. */
  function challenge(key: string, intent: { id: string; client_secret: string }): Promise<void> {
    return new Promise((done) => {
      const returnFocus = deepActiveElement();
      const overlay = document.createElement("div");
      overlay.setAttribute("data-stripe-double", "challenge");
      overlay.style.cssText =
        "position: fixed; inset: 0; z-index: 2147483647; display: flex; align-items: center; justify-content: center; background: rgba(0, 0, 0, 0.5);";
      const frame = document.createElement("iframe");
      frame.title = "3D Secure authentication";
      frame.style.cssText = "border: none; width: 420px; max-width: 100%; height: 320px; background: #fff; border-radius: 6px;";
      frame.src = frameUrl("/challenge", { key, intent: intent.id, clientSecret: intent.client_secret });
      overlay.appendChild(frame);
      document.body.appendChild(overlay);
      frameListeners.set(frame.contentWindow as Window, (message) => {
        if (message.type === "ready") {
          frame.focus();
          post(frame, { type: "focus" });
        } else if (message.type === "done") {
          frameListeners.delete(frame.contentWindow as Window);
          overlay.remove();
          if (returnFocus?.isConnected) returnFocus.focus();
          done();
        }
      });
    });
  }

  function deepActiveElement(): HTMLElement | null {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active instanceof HTMLElement ? active : null;
  }

  const StripeDouble: DoubleConstructor = (publishableKey, options = {}) => {
    if (typeof publishableKey !== "string" || publishableKey === "") {
      throw new IntegrationError("Please call Stripe() with your publishable key. You used an empty string.");
    }
    if (/^(sk|rk)_/.test(publishableKey)) {
      throw new IntegrationError("You should not use your secret key with Stripe.js. Please pass a publishable key instead.");
    }
    if (!/^pk_(test|live)_\w+$/.test(publishableKey)) {
      throw new IntegrationError("Invalid value for Stripe(): apiKey should be a publishable key (pk_test_… or pk_live_…).");
    }
    const stripeLocale = options.locale ?? "auto";

    const stripe: DoubleStripe = {
      elements(elementsOptions = {}) {
        const locale = elementsOptions.locale ?? stripeLocale;
        const group: CardState["group"] = { card: null };
        return {
          create(elementType: "card", cardOptions: StripeCardElementOptions = {}) {
            if (elementType !== "card") {
              throw new IntegrationError(`The Stripe.js double implements only the card Element, not ${String(elementType)}.`);
            }
            if (group.card) throw new IntegrationError("Can only create one Element of type card.");
            group.card = createCard(publishableKey, locale, { ...cardOptions }, group);
            return group.card;
          },
          getElement(elementType: "card") {
            return elementType === "card" ? group.card : null;
          },
        };
      },

      async createPaymentMethod(
        data:
          | import("@stripe/stripe-js").CreatePaymentMethodData
          | import("@stripe/stripe-js").CreatePaymentMethodFromElements
          | import("@stripe/stripe-js").CreatePaymentMethodFromElement,
      ): Promise<PaymentMethodResult> {
        if (!("type" in data) || data.type !== "card" || !("card" in data)) {
          throw new IntegrationError("The Stripe.js double implements only createPaymentMethod({type: 'card', card: cardElement, …}).");
        }
        const state = cards.get(data.card);
        if (!state) throw new IntegrationError("The Stripe.js double takes a card Element it created (no tokens).");
        if (state.destroyed || !state.frame || !state.ready) throw new IntegrationError(NOT_MOUNTED);
        const reply = await ask(state, { type: "createPaymentMethod", billing_details: data.billing_details ?? {} });
        if (reply.type === "gone") throw new IntegrationError(NOT_MOUNTED);
        if (reply.validationError) return { error: reply.validationError as StripeError };
        if (reply.status === undefined) return { error: CONNECTION_ERROR };
        if (reply.status === 200) return { paymentMethod: reply.body as PaymentMethod };
        return { error: apiError(reply.status, reply.body) };
      },

      async handleNextAction(
        options: { clientSecret: string } | { hashedValue: string },
      ): Promise<PaymentIntentOrSetupIntentResult> {
        if (!("clientSecret" in options)) {
          throw new IntegrationError("The Stripe.js double implements only handleNextAction({clientSecret}).");
        }
        const match = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(String(options.clientSecret));
        if (!match) {
          throw new IntegrationError(
            "Invalid value for handleNextAction: clientSecret should be a client secret of the form ${id}_secret_${secret}.",
          );
        }
        const path = `/v1/payment_intents/${match[1]}?client_secret=${encodeURIComponent(options.clientSecret)}&key=${encodeURIComponent(publishableKey)}`;
        let answer = await api(path);
        if (!answer) return { error: CONNECTION_ERROR };
        if (answer.status !== 200) return { error: apiError(answer.status, answer.body) };
        if (answer.body.status !== "requires_action") return { paymentIntent: answer.body as PaymentIntent };

        await challenge(publishableKey, answer.body);

        answer = await api(path);
        if (!answer) return { error: CONNECTION_ERROR };
        if (answer.status !== 200) return { error: apiError(answer.status, answer.body) };
        const intent = answer.body as PaymentIntent;
        if (intent.last_payment_error?.code === "payment_intent_authentication_failure") {
          return {
            error: {
              type: "invalid_request_error",
              code: "payment_intent_authentication_failure",
              message: AUTHENTICATION_FAILED,
              doc_url: "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
              payment_intent: intent,
            },
          };
        }
        return { paymentIntent: intent };
      },
    };
    return stripe;
  };

  (window as unknown as { Stripe: DoubleConstructor }).Stripe = StripeDouble;
})();
