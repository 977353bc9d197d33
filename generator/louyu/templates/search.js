/* louyu's search worker for Material for MkDocs.
 *
 * Material's search box talks to a worker (its messages: SETUP -> READY, QUERY -> RESULT);
 * this one answers from louyu's sharded index (render/search.py) instead of building a
 * lunr index from the whole site: a query fetches the shards of its terms, then the titles
 * of the results, then the text of the first ones for their snippets.
 *
 * It is also a plain script: in a page, `self.louyuSearch` is the same search (tests and
 * the benchmark measure recall with it).
 */
"use strict";
(function () {
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
  var FIRST = 20;     /* results shown before the rest are loaded */
  var FIRST_FILES = 3; /* files of titles (per group) they may need */
  var SNIPPETS = 10;  /* results whose text is fetched for a snippet */
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  var WORD = /[0-9a-z]+/g;
  var root = null;
  var files = new Map();

  function siteRoot() {
    if (root === null) {
      /* the worker is assets/louyu/search.js: the site is two folders up (a page that
       * loads this file as a script says where its site is) */
      root = self.louyuSearchRoot ? new URL(self.louyuSearchRoot, self.location.href) : new URL("../../", self.location.href);
    }
    return root;
  }

  function get(path) {
    var found = files.get(path);
    if (!found) {
      found = fetch(new URL(path, siteRoot())).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
      files.set(path, found);
      found.catch(function () { files.delete(path); });
    }
    return found;
  }

  function normalize(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  /* What to look up: for a run of Han characters its pairs (one character: itself), and
   * words of letters and digits; `parts` are what to highlight. */
  function parse(query) {
    var q = normalize(query.replace(/[+*~^:"]/g, " "));
    var terms = [], parts = [];
    (q.match(HAN) || []).forEach(function (run) {
      parts.push(run);
      if (run.length === 1) terms.push(run);
      for (var k = 0; k + 1 < run.length; k++) terms.push(run.slice(k, k + 2));
    });
    (q.replace(HAN, " ").match(WORD) || []).forEach(function (word) {
      parts.push(word);
      terms.push(word);
    });
    return { terms: Array.from(new Set(terms)), parts: Array.from(new Set(parts)) };
  }

  function shardOf(term, shards) {
    var h = 0x811c9dc5;
    for (var i = 0; i < term.length; i++) {
      h ^= term.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % shards;
  }

  function undelta(deltas) {
    var out = new Array(deltas.length), last = -1;
    for (var i = 0; i < deltas.length; i++) out[i] = last = last + deltas[i];
    return out;
  }

  /* A term's docs: id gaps, or a base64 bitmap (one bit a doc) for a term in many docs. */
  function ids(p) {
    if (typeof p !== "string") return undelta(p);
    var bin = atob(p), out = [];
    for (var k = 0; k < bin.length; k++) {
      for (var b = bin.charCodeAt(k); b; b &= b - 1) out.push(k * 8 + 31 - Math.clz32(b & -b));
    }
    return out;
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (a[i] < b[j]) i++;
      else j++;
    }
    return out;
  }

  /* The docs of one group holding every term, title matches first, newest first. */
  function match(group, terms) {
    return Promise.all(terms.map(function (t) {
      return get("search/" + group.dir + "/t" + shardOf(t, group.shards) + ".json").then(function (shard) {
        return shard[t] || [[], []];
      });
    })).then(function (postings) {
      var all = null, title = null;
      postings.forEach(function (p) {
        var b = ids(p[0]), t = ids(p[1]);
        all = all === null ? b : intersect(all, b);
        title = title === null ? t : intersect(title, t);
      });
      var inTitle = new Set(title || []);
      return (all || []).map(function (id) { return { group: group, id: id, title: inTitle.has(id) }; });
    });
  }

  function meta(hit) {
    var g = hit.group;
    return get("search/" + g.dir + "/m" + Math.floor(hit.id / g.meta) + ".json").then(function (rows) {
      hit.doc = rows[hit.id % g.meta];
      return hit;
    });
  }

  function text(hit) {
    var g = hit.group;
    return get("search/" + g.dir + "/x" + Math.floor(hit.id / g.text) + ".json").then(function (texts) {
      hit.text = texts[hit.id % g.text] || "";
      return hit;
    });
  }

  function escapeHTML(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  /* `s` escaped, with every occurrence of the query's parts marked. */
  function highlight(s, parts) {
    var lower = normalize(s);
    var marks = new Array(s.length + 1).fill(0);
    parts.forEach(function (p) {
      if (!p) return;
      for (var at = lower.indexOf(p); at !== -1 && lower.length === s.length; at = lower.indexOf(p, at + p.length)) {
        marks[at] += 1;
        marks[at + p.length] -= 1;
      }
    });
    var out = "", depth = 0, open = false;
    for (var i = 0; i < s.length; i++) {
      depth += marks[i];
      if (depth > 0 && !open) { out += "<mark>"; open = true; }
      if (depth <= 0 && open) { out += "</mark>"; open = false; }
      out += escapeHTML(s[i]);
    }
    return out + (open ? "</mark>" : "");
  }

  function snippet(text, parts) {
    var lower = normalize(text), at = -1;
    for (var k = 0; k < parts.length && at === -1; k++) at = lower.indexOf(parts[k]);
    var start = Math.max(0, at - 40);
    var piece = text.slice(start, start + 120);
    return (start > 0 ? "…" : "") + highlight(piece, parts) + (start + 120 < text.length ? "…" : "");
  }

  function item(hit, stations, parts) {
    var d = hit.doc;  /* location, title, station, date, section, mark */
    var tags = [stations[hit.group.dir][d[2]]];
    if (d[3]) tags.push(d[3]);
    if (d[5]) tags.push(d[5]);
    var terms = {};
    parts.forEach(function (p) { terms[p] = true; });
    return {
      location: d[0],
      title: highlight(d[1], parts),
      text: hit.text !== undefined ? "<p>" + snippet(hit.text, parts) + "</p>" : "",
      tags: tags.map(escapeHTML),
      score: hit.title ? 2 : 1,
      terms: terms
    };
  }

  function order(a, b) {
    if (a.title !== b.title) return a.title ? -1 : 1;
    var da = a.doc ? a.doc[3] : "", db = b.doc ? b.doc[3] : "";
    if (da !== db) return da < db ? 1 : -1;
    return a.group.dir === b.group.dir ? a.id - b.id : (a.group.dir < b.group.dir ? -1 : 1);
  }

  /* The best results of a group whose titles fit in a few files: title matches can be
   * anywhere in a large archive, and a phone should not wait for twenty files before it
   * shows the first result (the rest follow a moment later, in order). */
  function firstScreen(list) {
    var chunks = new Set(), out = [];
    for (var i = 0; i < list.length && out.length < FIRST; i++) {
      var c = Math.floor(list[i].id / list[i].group.meta);
      if (!chunks.has(c) && chunks.size >= FIRST_FILES) continue;
      chunks.add(c);
      out.push(list[i]);
    }
    return out;
  }

  var manifest = null;
  function index() {
    if (manifest === null) manifest = get("search/louyu.json");
    return manifest;
  }

  /* Every match (`found`), and calls `show(items)` as results become ready: the first ones
   * with their titles, then all of them, the first with snippets. */
  function search(query, show) {
    var q = parse(query);
    return index().then(function (m) {
      if (!q.terms.length) {
        if (show) show([], true);  /* nothing to look up: Material shows its placeholder */
        return [];
      }
      var stations = {};
      m.groups.forEach(function (g) { stations[g.dir] = g.stations; });
      return Promise.all(m.groups.map(function (g) { return match(g, q.terms); })).then(function (lists) {
        /* each group's own best first: enough of each for the first screen */
        var heads = [], hits = [];
        lists.forEach(function (list) {
          list.sort(order);
          heads = heads.concat(firstScreen(list));
          hits = hits.concat(list);
        });
        return Promise.all(heads.map(meta)).then(function () {
          heads.sort(order);
          var first = heads.slice(0, FIRST);
          if (show) show(first.map(function (h) { return item(h, stations, q.parts); }), false);
          return Promise.all(hits.map(meta).concat(first.slice(0, SNIPPETS).map(text))).then(function () {
            hits.sort(order);
            if (show) show(hits.map(function (h) { return item(h, stations, q.parts); }), true);
            return hits.map(function (h) { return h.doc[0]; });
          });
        });
      });
    });
  }

  self.louyuSearch = { search: search, parse: parse, shardOf: shardOf };

  if (typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope) {
    var latest = 0;
    self.addEventListener("message", function (ev) {
      var message = ev.data;
      if (message.type === SETUP) {
        index().then(function () { self.postMessage({ type: READY }); },
                     function () { self.postMessage({ type: READY }); });
      } else if (message.type === QUERY) {
        var mine = ++latest;
        search(message.data, function (items, done) {
          if (mine === latest) self.postMessage({ type: RESULT, data: { items: items.map(function (i) { return [i]; }), total: items.length } });
        }).catch(function () {
          if (mine === latest) self.postMessage({ type: RESULT, data: { items: [], total: 0 } });
        });
      }
    });
  }
})();
