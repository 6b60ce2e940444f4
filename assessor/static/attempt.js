// The timed attempt page: countdown, autosave (online and offline), evidence, word counts, submit.
// The server owns the clock and the answers; this page only displays the deadline and sends text.
"use strict";
(() => {
  const form = document.getElementById("attempt");
  if (!form) return;

  const data = form.dataset;
  const t = JSON.parse(data.i18n || "{}");
  const cfg = {
    saveUrl: data.saveUrl,
    submitUrl: data.submitUrl,
    statusUrl: data.statusUrl,
    doneUrl: data.doneUrl,
    csrf: data.csrf,
    autosaveMs: Math.max(250, Number(data.autosaveMs) || 10000),
    maxBytes: Number(data.maxBytes) || 1000000,
  };
  const POLL_MS = 60000;
  const MAX_SYNC_RTT_MS = 5000;
  const BATCH_BYTES = 3000000; // stay under the server's 4 MB request limit
  const KEEPALIVE_BYTES = 60000; // browsers refuse keepalive bodies over 64 KiB
  const MAX_EVENTS_PER_SAVE = 400;
  const MAX_DELTAS = 10000;
  const MAX_DELTA_MS = 86399999;
  const IGNORED_KEYS = new Set([
    "Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock", "Tab", "Escape", "ArrowUp",
    "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown", "Insert",
    "ContextMenu", "NumLock", "ScrollLock", "Unidentified", "Dead", "Process",
  ]);
  const WORD_RE = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu; // the server's count_words

  const $ = (id) => document.getElementById(id);
  const statusEl = $("save-status");
  const timerEl = $("timer");
  const warningEl = $("time-warning");
  const bar = document.querySelector(".attempt-bar");
  const problemsEl = $("submit-problems");
  const submitBtn = $("submit");
  const confirmBox = $("submit-confirm");
  const checkEl = $("submit-check");
  const checkTitle = $("submit-check-h");
  const checkList = $("submit-check-list");
  const confirmYes = $("submit-confirm-yes");
  const confirmNo = $("submit-confirm-no");

  const fields = Array.from(form.querySelectorAll(".answer"));
  const keyOf = (el) => `${el.dataset.task}/${el.dataset.part || ""}`;
  const byKey = new Map(fields.map((el) => [keyOf(el), el]));
  const encoder = new TextEncoder();
  const bytesOf = (text) => encoder.encode(text).length;

  // ---- time -------------------------------------------------------------------------------
  function parseTime(value) {
    // Python's isoformat() may carry microseconds; Date.parse wants milliseconds at most.
    const ms = Date.parse(String(value || "").replace(/(\.\d{3})\d+/, "$1"));
    return Number.isFinite(ms) ? ms : null;
  }

  let deadline = parseTime(data.deadline);
  let offset = (parseTime(data.serverNow) ?? Date.now()) - Date.now();
  const serverNow = () => Date.now() + offset;
  const warnings = [
    { before: 5 * 60000, text: t.five_minutes, done: false },
    { before: 60000, text: t.one_minute, done: false },
  ];
  let firstTick = true;

  function resync(payload, sentAt, receivedAt) {
    if (!payload) return;
    const now = parseTime(payload.now);
    // A slow round trip says little about when the server read its clock: keep the old offset.
    if (now !== null && receivedAt - sentAt < MAX_SYNC_RTT_MS) offset = now - (sentAt + receivedAt) / 2;
    const next = parseTime(payload.deadline);
    if (next !== null) deadline = next;
    tick();
  }

  function formatLeft(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  }

  function tick() {
    if (deadline === null || state.submitted) return;
    const left = deadline - serverNow();
    timerEl.textContent = formatLeft(left);
    bar.classList.toggle("time-low", left <= 5 * 60000 && left > 60000);
    bar.classList.toggle("time-critical", left <= 60000);
    let announce = null;
    for (const w of warnings) {
      if (left > w.before) {
        w.done = false; // re-armed when a recruiter adds time
      } else if (!w.done) {
        w.done = true;
        // On load, thresholds long passed are not announced as if they had just been crossed.
        if (!(firstTick && left < w.before - 2000) && left > 0) announce = w.text;
      }
    }
    firstTick = false;
    if (announce) warningEl.textContent = announce;
    if (left <= 0 && !state.timeUp && !state.closed) timeUp();
  }

  function timeUp() {
    state.timeUp = true;
    warningEl.textContent = t.time_up;
    statusEl.textContent = t.time_up;
    lockFields();
    submitAnswers({ auto: true });
  }

  // ---- local copy (survives offline work, reloads and closed tabs) ----------------------
  // One entry per field: `text` is what was last typed in this browser, `saved` the text the server
  // is known to hold. Text differs from saved = typed here and never acknowledged: a new page puts it
  // back, whatever the server's revision says (another tab, or a save carrying only evidence, moves
  // that revision on without this text). `revision` is the highest revision this browser has sent,
  // so that a reloaded page never reuses one that a closed tab's last save may still be carrying.
  const storeKey = `assessor.attempt.${data.attempt}`;

  function readLocal() {
    try {
      const parsed = JSON.parse(localStorage.getItem(storeKey) || "null");
      if (parsed && typeof parsed.revision === "number" && parsed.fields) return parsed;
    } catch (e) {
      /* storage unavailable or corrupt: start afresh */
    }
    return { revision: 0, fields: {} };
  }

  function updateLocal(change) {
    // Read, change, write back: other tabs of this attempt keep their own fields' entries.
    const store = readLocal();
    change(store);
    try {
      localStorage.setItem(storeKey, JSON.stringify(store));
    } catch (e) {
      /* quota or privacy mode: the server copy still works */
    }
  }

  function forgetLocal() {
    try {
      localStorage.removeItem(storeKey);
    } catch (e) {
      /* nothing to forget */
    }
  }

  const unacknowledged = (entry) =>
    Boolean(entry) && typeof entry.text === "string" && entry.text !== entry.saved;

  // ---- state ------------------------------------------------------------------------------
  const serverRevision = Number(data.revision) || 0;
  const state = {
    rev: Math.max(serverRevision, readLocal().revision || 0),
    dirty: new Set(),
    inflight: new Set(), // batches on the wire
    events: [],
    keyBuffers: new Map(),
    keyClock: new Map(), // field -> {mono, epoch} of its last keystroke, across flushes
    tooLarge: new Set(),
    net: "ok", // ok | offline | error
    failures: 0,
    retryAt: 0,
    retryTimer: null,
    again: false,
    closed: false,
    timeUp: false,
    submitting: false,
    submitted: false,
    unfinished: 0, // items in the confirmation's list
  };

  function refreshStatus() {
    if (state.closed || state.timeUp || state.submitted) return;
    let key = "saved";
    if (state.net === "offline" || !navigator.onLine) key = "offline";
    else if (state.net === "error") key = "error";
    else if (state.inflight.size) key = "saving";
    else if (state.dirty.size) key = "unsaved";
    else if (state.tooLarge.size) key = "too_large";
    const text = t[key] || key;
    if (statusEl.textContent !== text) statusEl.textContent = text;
    statusEl.dataset.state = key;
  }

  function lockFields() {
    for (const el of fields) {
      if (el.tagName === "SELECT") el.disabled = true;
      else el.readOnly = true;
      el.setAttribute("aria-readonly", "true");
    }
  }

  function close(message) {
    state.closed = true;
    clearTimeout(state.retryTimer);
    lockFields();
    statusEl.textContent = message || t.closed;
    statusEl.dataset.state = "closed";
    submitBtn.disabled = true;
    hideConfirm(false);
  }

  // ---- fields: input, word counts, evidence ----------------------------------------------
  function countWords(text) {
    return (text.match(WORD_RE) || []).length;
  }

  // Counted messages come as one template per plural category of the page's language (the
  // server's ngettext): Intl.PluralRules picks the category, as the server's plural rule does.
  const plurals = new Intl.PluralRules(document.documentElement.lang || "en");
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));

  function counted(name, n, values = {}) {
    const forms = (t.counted || {})[name] || {};
    const template = forms[plurals.select(n)] ?? forms.other ?? Object.values(forms)[0] ?? "%(num)s";
    return fill(template, { num: n, ...values });
  }

  function updateCount(el) {
    if (!el.dataset.minWords) return;
    const out = $(`${el.id}-count`);
    if (!out) return;
    const n = countWords(el.value);
    out.textContent = counted("word_count", n);
    const min = Number(el.dataset.minWords);
    const max = Number(el.dataset.maxWords);
    out.dataset.range = n < min ? "under" : n > max ? "over" : "ok";
  }

  function markTooLarge(key, large) {
    const el = byKey.get(key);
    if (!el) return;
    const noteId = `${el.id}-too-large`;
    let note = $(noteId);
    if (large) {
      state.tooLarge.add(key);
      el.setAttribute("aria-invalid", "true");
      if (!note) {
        note = document.createElement("p");
        note.id = noteId;
        note.className = "field-error";
        note.textContent = t.too_large;
        el.insertAdjacentElement("afterend", note);
        const described = el.getAttribute("aria-describedby");
        el.setAttribute("aria-describedby", described ? `${described} ${noteId}` : noteId);
      }
    } else if (state.tooLarge.delete(key)) {
      el.removeAttribute("aria-invalid");
      if (note) note.remove();
      const described = (el.getAttribute("aria-describedby") || "").split(" ");
      const rest = described.filter((id) => id && id !== noteId).join(" ");
      if (rest) el.setAttribute("aria-describedby", rest);
      else el.removeAttribute("aria-describedby");
    }
  }

  function onInput(el) {
    const key = keyOf(el);
    state.dirty.add(key);
    updateLocal((store) => {
      const entry = store.fields[key];
      store.fields[key] = { text: el.value, saved: entry ? entry.saved : undefined };
    });
    updateCount(el);
    if (state.tooLarge.has(key) && bytesOf(el.value) <= cfg.maxBytes) markTooLarge(key, false);
    refreshStatus();
    if (!confirmBox.hidden) showUnfinished(unfinishedOnPage()); // back at a task: keep it true
  }

  function pushEvent(event) {
    if (state.closed || state.submitted) return;
    state.events.push(event);
    if (state.events.length > 5000) state.events.splice(0, state.events.length - 5000);
  }

  function onKeydown(el, e) {
    if (e.isComposing || IGNORED_KEYS.has(e.key) || e.ctrlKey || e.metaKey || /^F\d+$/.test(e.key)) {
      return;
    }
    const key = keyOf(el);
    const mono = performance.now();
    let buf = state.keyBuffers.get(key);
    if (!buf) {
      const last = state.keyClock.get(key);
      const start = last ? last.epoch : Math.round(Date.now());
      buf = { task: el.dataset.task, part: el.dataset.part || "", start, at: start, deltas: [], deletes: 0 };
      buf.lastMono = last ? last.mono : mono;
      state.keyBuffers.set(key, buf);
    }
    const delta = Math.min(MAX_DELTA_MS, Math.max(0, Math.round(mono - buf.lastMono)));
    buf.deltas.push(delta);
    buf.at += delta;
    buf.lastMono = mono;
    if (e.key === "Backspace" || e.key === "Delete") buf.deletes += 1;
    state.keyClock.set(key, { mono, epoch: buf.at });
    if (buf.deltas.length >= MAX_DELTAS) flushKeys();
  }

  function flushKeys() {
    for (const buf of state.keyBuffers.values()) {
      state.events.push({
        type: "keys", task: buf.task, part: buf.part, start: buf.start,
        deltas: buf.deltas, deletes: buf.deletes,
      });
    }
    state.keyBuffers.clear();
  }

  function takeEvents() {
    flushKeys();
    return state.events.splice(0, MAX_EVENTS_PER_SAVE);
  }

  for (const el of fields) {
    el.addEventListener("input", () => onInput(el));
    if (el.tagName === "SELECT") el.addEventListener("change", () => onInput(el));
    el.addEventListener("keydown", (e) => onKeydown(el, e));
    el.addEventListener("paste", (e) => {
      const pasted = e.clipboardData ? e.clipboardData.getData("text") : "";
      pushEvent({
        type: "paste", task: el.dataset.task, part: el.dataset.part || "",
        length: pasted.length, at: Math.round(Date.now()),
      });
    });
    // Leaving a field is a natural moment to save.
    el.addEventListener("change", () => save());
  }
  window.addEventListener("blur", () => pushEvent({ type: "blur", at: Math.round(Date.now()) }));
  window.addEventListener("focus", () => pushEvent({ type: "focus", at: Math.round(Date.now()) }));
  form.addEventListener("submit", (e) => e.preventDefault());

  // ---- saving -----------------------------------------------------------------------------
  function post(url, body, keepalive = false) {
    const json = JSON.stringify(body);
    return fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": cfg.csrf,
      },
      body: json,
      credentials: "same-origin",
      cache: "no-store",
      keepalive: keepalive && json.length < KEEPALIVE_BYTES,
    });
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch (e) {
      return {};
    }
  }

  function pickKeys(keys) {
    const picked = [];
    let total = 0;
    for (const key of keys) {
      const el = byKey.get(key);
      if (!el) continue;
      const size = bytesOf(el.value);
      if (size > cfg.maxBytes) {
        markTooLarge(key, true);
        continue;
      }
      if (picked.length && total + size > BATCH_BYTES) break; // the rest goes in the next batch
      picked.push(key);
      total += size;
    }
    return picked;
  }

  function answersFor(keys) {
    return keys.map((key) => {
      const el = byKey.get(key);
      return { task: el.dataset.task, part: el.dataset.part || "", text: el.value };
    });
  }

  function takeRevision() {
    state.rev += 1;
    const rev = state.rev;
    updateLocal((store) => {
      store.revision = Math.max(store.revision || 0, rev);
    });
    return rev;
  }

  function acknowledge(batch) {
    // The server holds these texts now; later typing in the fields stays unacknowledged.
    updateLocal((store) => {
      batch.answers.forEach((answer, i) => {
        const key = batch.keys[i];
        const entry = store.fields[key];
        store.fields[key] = { text: entry ? entry.text : answer.text, saved: answer.text };
      });
    });
  }

  function requeue(batch, withEvents = true) {
    for (const key of batch.keys) state.dirty.add(key);
    if (withEvents && batch.events.length) state.events.unshift(...batch.events);
  }

  function retryLater() {
    state.failures += 1;
    const delay = Math.min(30000, 1000 * 2 ** Math.min(state.failures, 5)) + Math.random() * 500;
    state.retryAt = Date.now() + delay;
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => save(), delay);
  }

  function pending() {
    return state.dirty.size > 0 || state.events.length > 0 || state.keyBuffers.size > 0;
  }

  async function save({ keepalive = false, dropEvents = false } = {}) {
    if (state.closed || state.submitting || state.submitted || state.timeUp) return;
    const busy = [...state.inflight].some((b) => !b.keepalive);
    if (busy && !keepalive) {
      state.again = true;
      return;
    }
    if (!keepalive && !navigator.onLine) {
      state.net = "offline"; // typing goes on; the `online` event sends everything
      refreshStatus();
      return;
    }
    const candidates = new Set(state.dirty);
    if (keepalive) for (const b of state.inflight) b.keys.forEach((k) => candidates.add(k));
    const keys = pickKeys([...candidates]);
    const events = dropEvents ? [] : takeEvents();
    if (!keys.length && !events.length) {
      refreshStatus();
      return;
    }
    const batch = { keys, events, keepalive, answers: answersFor(keys), revision: takeRevision() };
    keys.forEach((k) => state.dirty.delete(k));
    state.inflight.add(batch);
    refreshStatus();
    const sentAt = Date.now();
    let response;
    let payload;
    try {
      response = await post(cfg.saveUrl, { revision: batch.revision, answers: batch.answers, events },
        keepalive);
      payload = await readJson(response);
    } catch (e) {
      state.inflight.delete(batch);
      requeue(batch);
      state.net = "offline";
      refreshStatus();
      if (!keepalive) retryLater();
      return;
    }
    state.inflight.delete(batch);
    handleSave(batch, response, payload, sentAt);
  }

  function handleSave(batch, response, payload, sentAt) {
    const status = response.status;
    if (response.ok && payload.saved) {
      acknowledge(batch);
      state.net = "ok";
      state.failures = 0;
      state.retryAt = 0;
      resync(payload, sentAt, Date.now());
    } else if (response.ok) {
      // Stale: the server holds a higher revision (another tab, or a cleared browser store).
      state.rev = Math.max(state.rev, Number(payload.revision) || 0);
      requeue(batch);
      state.again = true;
    } else if (status === 409 || status === 410) {
      close(t.closed);
      return;
    } else if (status === 413) {
      requeue(batch);
      const big = batch.keys.filter((k) => bytesOf(byKey.get(k).value) > cfg.maxBytes);
      const culprit = big.length ? big : largestOf(batch.keys);
      culprit.forEach((k) => {
        state.dirty.delete(k);
        markTooLarge(k, true);
      });
      state.again = state.dirty.size > 0;
    } else if (status === 400 && batch.events.length) {
      // Evidence must never block saving: send the answers again without these events.
      requeue(batch, false);
      state.again = false;
      refreshStatus();
      save({ dropEvents: true });
      return;
    } else {
      requeue(batch);
      state.net = "error";
      refreshStatus();
      retryLater();
      return;
    }
    refreshStatus();
    if (state.again) {
      state.again = false;
      if (state.dirty.size) save();
    }
  }

  function largestOf(keys) {
    let best = null;
    let size = -1;
    for (const key of keys) {
      const n = bytesOf(byKey.get(key).value);
      if (n > size) [best, size] = [key, n];
    }
    return best ? [best] : [];
  }

  async function poll() {
    if (state.closed || state.submitted) return;
    const sentAt = Date.now();
    let response;
    let payload;
    try {
      response = await fetch(cfg.statusUrl, {
        headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
      });
      payload = await readJson(response);
    } catch (e) {
      state.net = "offline";
      refreshStatus();
      return;
    }
    if (response.status === 409 || response.status === 410) {
      close(t.closed);
      return;
    }
    if (!response.ok) return;
    resync(payload, sentAt, Date.now());
    state.rev = Math.max(state.rev, Number(payload.revision) || 0);
    if (payload.state && payload.state !== "in_progress" && !state.submitting) {
      close(t.closed);
      return;
    }
    if (state.net !== "ok") {
      state.net = "ok";
      state.retryAt = 0;
      save();
    }
  }

  // ---- submitting -------------------------------------------------------------------------
  function setBusy(busy) {
    submitBtn.disabled = busy;
    if (confirmYes) confirmYes.disabled = busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function showProblems(lines) {
    problemsEl.replaceChildren();
    if (!lines.length) {
      problemsEl.hidden = true;
      return;
    }
    const list = document.createElement("ul");
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    problemsEl.append(list);
    problemsEl.hidden = false;
  }

  async function submitAnswers({ auto = false, confirm = false } = {}) {
    if (state.submitting || state.submitted || (state.closed && !auto)) return;
    state.submitting = true;
    setBusy(true);
    clearTimeout(state.retryTimer);
    const keys = pickKeys([...byKey.keys()]);
    const events = takeEvents();
    const body = { revision: takeRevision(), answers: answersFor(keys), events };
    if (auto) body.auto = true;
    if (confirm) body.confirm = true;
    let response;
    let payload;
    try {
      response = await post(cfg.submitUrl, body);
      payload = await readJson(response);
    } catch (e) {
      state.submitting = false;
      state.events.unshift(...events);
      state.net = "offline";
      setBusy(false);
      if (auto) {
        // The sweeper finalises from the last save if this never gets through.
        setTimeout(() => submitAnswers({ auto: true }), 2000);
      } else {
        showProblems([t.offline]);
        refreshStatus();
      }
      return;
    }
    if (response.ok) {
      state.submitted = true;
      forgetLocal();
      window.location.assign(payload.redirect || cfg.doneUrl);
      return;
    }
    state.submitting = false;
    setBusy(false);
    const error = payload.error || {};
    if (response.status === 409 || response.status === 410) {
      close(t.closed);
      window.location.assign(cfg.doneUrl);
    } else if (response.status === 422) {
      // The server's list, from the answers it holds: the page's own missed something.
      showConfirm(error.problems || []);
    } else if (response.status === 413) {
      largestOf(keys).forEach((k) => markTooLarge(k, true));
      showProblems([t.too_large]);
    } else if (auto) {
      setTimeout(() => submitAnswers({ auto: true }), 2000);
    } else {
      showProblems([error.message || t.error]);
    }
  }

  // ---- before submitting: what is unanswered or outside its word limits -------------------
  // The rules of assessor/candidate/completeness.py, on the live page. A field is answered once
  // it has something besides spaces (trim() removes what completeness.SPACE lists) and, for a
  // correction box, something else than the sentence it started with.
  const sections = Array.from(form.querySelectorAll("section.task[data-task]"));
  const isAnswered = (el) => {
    const text = el.value.trim();
    return text !== "" && text !== (el.dataset.original || "").trim();
  };

  function unfinishedOnPage() {
    const found = [];
    for (const section of sections) {
      const { task, kind, title } = section.dataset;
      const own = fields.filter((el) => el.dataset.task === task);
      const item = { task, title, part: own.length ? own[0].dataset.part || "" : "" };
      if (!own.some(isAnswered)) {
        found.push({ ...item, message: kind === "correction" ? t.uncorrected : t.unanswered });
      } else if (kind === "email" || kind === "chat") {
        const words = countWords(own[0].value);
        const min = Number(own[0].dataset.minWords);
        const max = Number(own[0].dataset.maxWords);
        if (words < min) found.push({ ...item, message: counted("too_short", words, { min }) });
        else if (words > max) found.push({ ...item, message: counted("too_long", words, { max }) });
      }
    }
    return found;
  }

  function showUnfinished(items) {
    // Items are the page's or the server's (completeness.describe): task, part, title, message.
    state.unfinished = items.length;
    checkList.replaceChildren();
    for (const item of items) {
      const field = byKey.get(`${item.task}/${item.part || ""}`);
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.textContent = item.title;
      if (field) {
        link.href = `#${field.id}`;
        link.addEventListener("click", (e) => {
          e.preventDefault();
          field.focus(); // the answer itself, not only its place on the page
          field.scrollIntoView({ block: "center" });
        });
      }
      li.append(link, ` — ${item.message}`);
      checkList.append(li);
    }
    checkTitle.textContent = counted("to_look_at", items.length);
    checkEl.hidden = items.length === 0;
    confirmYes.textContent = items.length ? t.submit_anyway : t.submit_now;
  }

  function showConfirm(items = unfinishedOnPage()) {
    if (state.closed || state.submitting) return;
    showProblems([]);
    showUnfinished(items);
    confirmBox.hidden = false;
    submitBtn.setAttribute("aria-expanded", "true");
    // The list gets the focus, so that it is read out and its links come next on the Tab key.
    if (items.length) checkEl.focus();
    else confirmYes.focus();
  }

  function hideConfirm(refocus = true) {
    if (!confirmBox || confirmBox.hidden) return;
    confirmBox.hidden = true;
    submitBtn.setAttribute("aria-expanded", "false");
    if (refocus) submitBtn.focus();
  }

  submitBtn.addEventListener("click", () => {
    if (confirmBox.hidden) showConfirm();
    else confirmYes.focus(); // a second click (or a double click) never submits by itself
  });
  confirmYes.addEventListener("click", () => {
    const listed = state.unfinished > 0; // the candidate has seen the list and submits anyway
    hideConfirm(false);
    submitAnswers({ confirm: listed });
  });
  confirmNo.addEventListener("click", () => hideConfirm());
  confirmBox.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hideConfirm();
  });

  // ---- start-up ---------------------------------------------------------------------------
  function serverValue(el) {
    // What the server rendered into the field (the page's default), whatever is in it now.
    if (el.tagName !== "SELECT") return el.defaultValue;
    const chosen = Array.from(el.options).find((o) => o.defaultSelected) || el.options[0];
    return chosen ? chosen.value : "";
  }

  updateLocal((store) => {
    for (const [key, el] of byKey) {
      const serverText = serverValue(el);
      const entry = store.fields[key];
      if (unacknowledged(entry) && entry.text !== serverText) {
        // Typed here and never acknowledged (offline, or the tab was closed): restore it. The
        // server's revision cannot tell: saves from other tabs or of evidence alone move it on.
        el.value = entry.text;
      }
      // Typed before this script ran, or restored just now: the server does not have it yet.
      if (el.value !== serverText) state.dirty.add(key);
      store.fields[key] = { text: el.value, saved: serverText };
    }
  });
  fields.forEach(updateCount);

  window.addEventListener("online", () => {
    state.failures = 0;
    state.retryAt = 0;
    state.net = "ok";
    save();
  });
  window.addEventListener("offline", () => {
    state.net = "offline";
    refreshStatus();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({ keepalive: true });
  });
  window.addEventListener("pagehide", () => save({ keepalive: true }));

  setInterval(() => {
    if (Date.now() >= state.retryAt && pending()) save();
  }, cfg.autosaveMs);
  setInterval(poll, POLL_MS);
  setInterval(tick, 1000);
  tick();
  if (state.dirty.size) save();
  refreshStatus();
})();
