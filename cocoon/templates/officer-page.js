// The officer's page: stops in walking order, a button per outcome, kept on the phone (localStorage)
// for one day's plan, exported as CSV for `cocoon visits import` and as GeoJSON.
// Every text from the plan is put on the page with textContent: nothing from the inputs is read as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cocoon-data").textContent);
  var KEY = data.storage_key;
  var PREFIX = "cocoon-field:";
  var lang = data.lang;
  var state = { records: [], log: [], exported_at: null, visitor: data.officer_name || "", position: false,
                lang: null };
  var storage = null;
  try {
    storage = window.localStorage;
    storage.setItem(PREFIX + "probe", "1");
    storage.removeItem(PREFIX + "probe");
  } catch (e) {
    storage = null;
  }
  var stopsById = {};
  data.stops.forEach(function (s) { stopsById[s.household_id] = s; });

  // --- texts ---------------------------------------------------------------------------------------
  function t(key, params) {
    var table = data.texts[lang] || data.texts.en;
    var template = table[key] !== undefined ? table[key] : data.texts.en[key];
    params = params || {};
    return String(template).replace(/\{(\w+)(?::([^|{}]*)\|([^{}]*))?\}/g, function (all, name, one, other) {
      var value = params[name];
      if (one !== undefined) { return Number(value) === 1 ? one : other; }
      return value === undefined ? all : String(value);
    });
  }
  function outcomeWords(code) { return t("outcome." + code); }

  // --- time ----------------------------------------------------------------------------------------
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoWithOffset(d) {
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function clock(iso) { return iso ? iso.substring(11, 16) : ""; }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).substring(1); }).join("");
  }

  // --- storage -------------------------------------------------------------------------------------
  function load() {
    if (!storage) { return; }
    var raw = storage.getItem(KEY);
    if (raw) {
      try {
        var saved = JSON.parse(raw);
        state.records = saved.records || [];
        state.log = saved.log || [];
        state.exported_at = saved.exported_at || null;
        if (typeof saved.visitor === "string") { state.visitor = saved.visitor; }
        state.position = !!saved.position;
        if (saved.lang && data.texts[saved.lang]) { state.lang = saved.lang; lang = saved.lang; }
      } catch (e) { /* an unreadable entry is left as it is, and not overwritten until a tap */ }
    }
  }
  function save() {
    if (!storage) { return; }
    storage.setItem(KEY, JSON.stringify({ plan_date: data.plan_date, officer: data.officer, records: state.records,
                                          log: state.log, exported_at: state.exported_at, visitor: state.visitor,
                                          position: state.position, lang: state.lang }));
  }
  function otherDays() {
    var days = [];
    if (!storage) { return days; }
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0 && key !== KEY) {
        try {
          var other = JSON.parse(storage.getItem(key));
          if (other && other.records && other.records.length && other.plan_date !== data.plan_date) {
            days.push(other.plan_date);
          }
        } catch (e) { /* not ours */ }
      }
    }
    return days.filter(function (d, k) { return days.indexOf(d) === k; }).sort();
  }

  // --- building the page (textContent only) ----------------------------------------------------------
  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = String(content); }
    return node;
  }
  var list = document.getElementById("stops");
  var stopNodes = {};

  function buildStops() {
    list.replaceChildren();
    if (!data.stops.length) { list.appendChild(el("p", "note", t("officer_page.no_stops"))); }
    data.stops.forEach(function (s) {
      var item = el("li", "stop tier-" + String(s.tier).replace(/[^A-Za-z]/g, ""));
      item.setAttribute("data-household-id", s.household_id);
      item.id = "stop-" + s.stop;
      var head = el("div", "stop-head");
      head.appendChild(el("span", "stop-number", s.stop));
      var label = el("span", "stop-label", s.label);
      head.appendChild(label);
      item.appendChild(head);
      var facts = [t("officer_page.tier", { tier: s.tier }), t("officer_page.dwellings", { n: s.dwellings })];
      if (s.arrival) { facts.push(t("officer_page.arrival", { time: s.arrival })); }
      item.appendChild(el("div", "stop-facts", facts.join(" · ") + " · " + s.household_id));
      item.appendChild(el("div", "stop-reason", s.reason[lang] || s.reason.en));
      if (s.revisit) { item.appendChild(el("div", "stop-revisit", t("officer_page.revisit", { date: s.revisit }))); }
      var status = el("div", "stop-status");
      status.setAttribute("aria-live", "polite");
      item.appendChild(status);
      var buttons = el("div", "outcomes");
      data.outcomes.forEach(function (code) {
        var button = el("button", "outcome outcome-" + code);
        button.type = "button";
        button.setAttribute("data-outcome", code);
        button.appendChild(el("span", "code", t("outcome_code." + code)));
        button.appendChild(el("span", "words", outcomeWords(code)));
        button.addEventListener("click", function () { tap(s, code); });
        buttons.appendChild(button);
      });
      item.appendChild(buttons);
      list.appendChild(item);
      stopNodes[s.household_id] = { item: item, status: status };
    });
  }

  function latest(householdId) {
    for (var i = state.records.length - 1; i >= 0; i--) {
      if (state.records[i].household_id === householdId) { return state.records[i]; }
    }
    return null;
  }

  function renderStop(s) {
    var last = latest(s.household_id);
    var node = stopNodes[s.household_id];
    node.item.classList.toggle("done", !!last);
    node.item.querySelectorAll("button.outcome").forEach(function (b) {
      b.classList.toggle("chosen", !!last && b.getAttribute("data-outcome") === last.outcome);
      b.querySelector(".words").textContent = outcomeWords(b.getAttribute("data-outcome"));
    });
    node.status.textContent = last ? t("officer_page.done", { outcome: outcomeWords(last.outcome),
                                                               time: clock(last.time) }) : "";
    var f = [t("officer_page.tier", { tier: s.tier }), t("officer_page.dwellings", { n: s.dwellings })];
    if (s.arrival) { f.push(t("officer_page.arrival", { time: s.arrival })); }
    node.item.querySelector(".stop-facts").textContent = f.join(" · ") + " · " + s.household_id;
    node.item.querySelector(".stop-reason").textContent = s.reason[lang] || s.reason.en;
    var again = node.item.querySelector(".stop-revisit");
    if (again) { again.textContent = t("officer_page.revisit", { date: s.revisit }); }
    if (markers[s.household_id]) { markers[s.household_id].classList.toggle("done", !!last); }
  }

  // Everything, or (after a tap or an undo) only the stop that changed and the counters.
  function render(only) {
    clearArmed = false;
    document.documentElement.lang = lang;
    if (!only) {
      document.querySelectorAll("[data-text]").forEach(function (node) {
        node.textContent = t(node.getAttribute("data-text"));
      });
      document.title = t("officer_page.title", { date: data.plan_date, officer: data.officer_label });
      document.getElementById("title").textContent = document.title;
      document.getElementById("stop-count").textContent = t("officer_page.stops", { n: data.stops.length });
      document.getElementById("start-label").textContent = t("officer_page.start") + ": " + data.start.label;
    }
    (only ? [stopsById[only]] : data.stops).forEach(renderStop);
    var done = data.stops.filter(function (s) { return latest(s.household_id) !== null; }).length;
    document.getElementById("doors-done").textContent = t("officer_page.doors_done", { done: done,
                                                                                     total: data.stops.length });
    renderClocks();
    var undo = document.getElementById("undo");
    var last = state.records[state.records.length - 1];
    undo.textContent = last ? t("officer_page.undo_what", { stop: last.stop, outcome: outcomeWords(last.outcome),
                                                            time: clock(last.time) }) : t("officer_page.undo");
    undo.disabled = !last;
    var log = document.getElementById("log");
    log.replaceChildren();
    if (!state.log.length) { log.appendChild(el("li", "note", t("officer_page.log_empty"))); }
    state.log.slice().reverse().forEach(function (entry) {
      var key = entry.action === "undo" ? "officer_page.log_undo" : "officer_page.log_tap";
      var line = t(key, { time: clock(entry.at), stop: entry.stop, outcome: outcomeWords(entry.outcome) });
      if (entry.action === "tap" && entry.accuracy_m !== undefined && entry.accuracy_m !== null) {
        line += " · " + t("officer_page.position_at", { metres: Math.round(entry.accuracy_m) });
      }
      log.appendChild(el("li", entry.action, line));
    });
    document.getElementById("position").checked = state.position;
    var visitor = document.getElementById("visitor");
    if (document.activeElement !== visitor) { visitor.value = state.visitor; }
    var days = otherDays();
    var other = document.getElementById("other-day");
    other.textContent = days.length ? t("officer_page.other_day", { date: days.join(", ") }) : "";
    other.hidden = !days.length;
    var lonely = document.getElementById("no-storage");
    lonely.textContent = storage ? "" : t("officer_page.no_storage");
    lonely.hidden = !!storage;
    document.getElementById("switch-language").textContent = t("officer_page.other_language");
  }

  function renderClocks() {
    var box = document.getElementById("clocks");
    box.replaceChildren();
    var now = Date.now();
    var past = [];
    data.burglaries.forEach(function (b) {
      var hours = (now - Date.parse(b.reported)) / 3600000;
      if (hours > 48) { past.push(b.id); return; }
      var target = hours <= 24 ? 24 : 48;
      var line = t("officer_page.since_report", { id: b.id, hours: Math.max(0, Math.floor(hours)) }) + " · " +
        t("officer_page.target_left", { left: Math.max(0, Math.floor(target - hours)), target: target });
      box.appendChild(el("li", hours <= 24 ? "within-24" : "within-48", line));
    });
    if (past.length) { box.appendChild(el("li", "past-48", t("officer_page.past_48", { ids: past.join(", ") }))); }
  }

  // --- tapping ---------------------------------------------------------------------------------------
  function tap(stop, code) {
    var now = new Date();
    var record = { record_id: data.record_prefix + newId(), household_id: stop.household_id, stop: stop.stop,
                   outcome: code, time: isoWithOffset(now), visitor: state.visitor, lat: null, lon: null,
                   accuracy_m: null };
    state.records.push(record);
    var entry = { action: "tap", at: record.time, record_id: record.record_id, stop: stop.stop, outcome: code };
    state.log.push(entry);
    save();
    render(stop.household_id);
    if (state.position && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (p) {
        record.lat = Math.round(p.coords.latitude * 1e7) / 1e7;
        record.lon = Math.round(p.coords.longitude * 1e7) / 1e7;
        record.accuracy_m = Math.round(p.coords.accuracy);
        entry.accuracy_m = record.accuracy_m;
        save();
        render(stop.household_id);
      }, function () { /* no position: the record keeps its time and outcome */ },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }
  }

  function undo() {
    var last = state.records.pop();
    if (!last) { return; }
    state.log.push({ action: "undo", at: isoWithOffset(new Date()), record_id: last.record_id, stop: last.stop,
                     outcome: last.outcome });
    save();
    render(last.household_id);
  }

  // --- export ----------------------------------------------------------------------------------------
  var CSV_COLUMNS = ["record_id", "household_id", "outcome", "time", "visitor", "officer", "stop", "lat", "lon",
                     "accuracy_m", "plan_date"];
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) { text = "'" + text; }  // never a formula
    return '"' + text.replace(/"/g, '""') + '"';
  }
  function csvText() {
    var rows = [CSV_COLUMNS.join(",")];
    state.records.forEach(function (r) {
      var values = { record_id: r.record_id, household_id: r.household_id, outcome: r.outcome, time: r.time,
                     visitor: r.visitor, officer: data.officer, stop: r.stop, lat: r.lat, lon: r.lon,
                     accuracy_m: r.accuracy_m, plan_date: data.plan_date };
      rows.push(CSV_COLUMNS.map(function (c) { return csvCell(values[c]); }).join(","));
    });
    return "\ufeff" + rows.join("\r\n") + "\r\n";
  }
  function round7(v) { return Math.round(v * 1e7) / 1e7; }
  function geojsonText() {
    var features = state.records.map(function (r) {
      var s = stopsById[r.household_id];
      return { type: "Feature", geometry: { type: "Point", coordinates: [round7(s.lon), round7(s.lat)] },
               properties: { record_id: r.record_id, household_id: r.household_id, stop: r.stop, outcome: r.outcome,
                             time: r.time, visitor: r.visitor, officer: data.officer, plan_date: data.plan_date,
                             phone_lon: r.lon, phone_lat: r.lat, accuracy_m: r.accuracy_m } };
    });
    return JSON.stringify({ type: "FeatureCollection", features: features });
  }
  function download(name, type, body) {
    var url = URL.createObjectURL(new Blob([body], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }
  function exported(file) {
    state.exported_at = state.records.length ? state.records[state.records.length - 1].record_id : "";
    save();
    message(t("officer_page.exported", { n: state.records.length, file: file }));
  }
  function exportCsv() {
    var name = data.file_stem + ".csv";
    download(name, "text/csv;charset=utf-8", csvText());
    exported(name);
  }
  function exportGeojson() {
    var name = data.file_stem + ".geojson";
    download(name, "application/geo+json", geojsonText());
    exported(name);
  }
  var clearArmed = false;
  function clearDay() {
    var last = state.records.length ? state.records[state.records.length - 1].record_id : "";
    if (state.records.length && state.exported_at !== last) {
      message(t("officer_page.clear_needs_export"));
      return;
    }
    if (!clearArmed) {
      clearArmed = true;
      document.getElementById("clear").textContent = t("officer_page.clear_again", { n: state.records.length });
      return;
    }
    clearArmed = false;
    state.records = [];
    state.log = [];
    state.exported_at = null;
    if (storage) { storage.removeItem(KEY); }
    document.getElementById("clear").textContent = t("officer_page.clear");
    render();
    message(t("officer_page.cleared"));
  }
  function message(text) { document.getElementById("message").textContent = text; }

  // --- the map ---------------------------------------------------------------------------------------
  var markers = {};
  function buildMap() {
    if (typeof L === "undefined") { return; }
    var node = document.getElementById("map");
    var map = L.map(node, { zoomControl: true, attributionControl: !!data.basemap, maxZoom: 19,
                            zoomSnap: 0.25 });
    if (data.basemap) {
      map.attributionControl.setPrefix(false);
      L.imageOverlay(data.basemap.url, data.basemap.bounds, { attribution: data.basemap.attribution,
                                                              interactive: false }).addTo(map);
    }
    var home = [data.start.lat, data.start.lon];
    var path = [home].concat(data.stops.map(function (s) { return [s.lat, s.lon]; })).concat([home]);
    map.fitBounds(L.latLngBounds(path), { padding: [16, 16], maxZoom: 18 });
    L.polyline(path, { color: data.colour, weight: 4, opacity: 0.85 }).addTo(map);
    function icon(className, label) {
      var div = el("div", className, label);
      return L.divIcon({ html: div, className: "cocoon-icon", iconSize: [26, 26], iconAnchor: [13, 13] });
    }
    L.marker(home, { icon: icon("map-start", "S"), keyboard: false, title: t("officer_page.start") }).addTo(map);
    data.stops.forEach(function (s) {
      var marker = L.marker([s.lat, s.lon], { icon: icon("map-stop", s.stop), title: String(s.stop) }).addTo(map);
      marker.on("click", function () {
        var target = document.getElementById("stop-" + s.stop);
        if (target) { target.scrollIntoView({ behavior: "smooth", block: "start" }); }
      });
      markers[s.household_id] = marker.getElement().firstChild;
    });
  }

  // --- start ----------------------------------------------------------------------------------------
  load();
  buildStops();
  buildMap();
  document.getElementById("undo").addEventListener("click", undo);
  document.querySelector('[data-action="export-csv"]').addEventListener("click", exportCsv);
  document.querySelector('[data-action="export-geojson"]').addEventListener("click", exportGeojson);
  document.getElementById("clear").addEventListener("click", clearDay);
  document.getElementById("position").addEventListener("change", function (e) {
    state.position = e.target.checked;
    save();
  });
  document.getElementById("visitor").addEventListener("input", function (e) {
    state.visitor = e.target.value;
    save();
  });
  document.getElementById("switch-language").addEventListener("click", function () {
    var names = Object.keys(data.texts);
    lang = names[(names.indexOf(lang) + 1) % names.length];
    state.lang = lang;
    save();
    render();
  });
  render();
  setInterval(renderClocks, 60000);
  document.body.setAttribute("data-ready", "1");
  if (window.performance && performance.mark) { performance.mark("cocoon-ready"); }
}());
