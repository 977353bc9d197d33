/* louyu desk: the editor's toolbar, uploads (picker, camera, drag and drop), problems shown
   next to their field or line as the admin types, and the preview. The page works without
   it too: the form posts, the server checks and saves. */
(function () {
  "use strict";
  var csrfEl = document.getElementById("csrf");
  var csrf = csrfEl ? csrfEl.value : "";

  function post(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (r) {
      return r.json().then(function (data) { if (!r.ok) { throw new Error(data.error || ("HTTP " + r.status)); } return data; });
    });
  }

  // --- new item: the Latin name from the title ---------------------------------------------
  var newForm = document.getElementById("new-item");
  if (newForm) {
    var title = document.getElementById("n-title"), name = document.getElementById("n-name");
    var section = document.getElementById("n-section"), touched = false, timer = null;
    name.addEventListener("input", function () { touched = name.value !== ""; });
    function suggest() {
      if (touched || !title.value.trim()) { return; }
      fetch("/name?" + new URLSearchParams({ title: title.value, section: section.value }), { credentials: "same-origin" })
        .then(function (r) { return r.json(); }).then(function (d) { if (!touched) { name.value = d.name; } });
    }
    title.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 300); });
    section.addEventListener("change", suggest);
  }

  var form = document.getElementById("editor");
  if (!form) { return; }
  var key = form.dataset.key, body = document.getElementById("body");
  var status = document.getElementById("upload-status"), preview = document.getElementById("preview");

  // --- toolbar -----------------------------------------------------------------------------
  function wrap(before, after, placeholder) {
    var s = body.selectionStart, e = body.selectionEnd, text = body.value.slice(s, e) || placeholder;
    body.setRangeText(before + text + after, s, e, "end");
    body.focus();
    body.dispatchEvent(new Event("input"));
  }
  function linePrefix(prefix) {
    var s = body.selectionStart, start = body.value.lastIndexOf("\n", s - 1) + 1;
    body.setRangeText(prefix, start, start, "end");
    body.focus();
    body.dispatchEvent(new Event("input"));
  }
  function insert(text) {
    var s = body.selectionStart, before = body.value.slice(0, s);
    var lead = before && !before.endsWith("\n") ? "\n\n" : "";
    body.setRangeText(lead + text + "\n", s, body.selectionEnd, "end");
    body.dispatchEvent(new Event("input"));
  }
  var actions = {
    heading: function () { linePrefix("## "); },
    bold: function () { wrap("**", "**", "加粗的文字"); },
    list: function () { linePrefix("- "); },
    quote: function () { linePrefix("> "); },
    link: function () { wrap("[", "](https://)", "链接文字"); },
    preview: function () { refresh(); preview.scrollIntoView({ behavior: "smooth" }); }
  };
  document.querySelectorAll("[data-md]").forEach(function (b) {
    b.addEventListener("click", function () { actions[b.dataset.md](); });
  });

  // --- problems next to their field and line, and the preview ----------------------------------
  // (next to a field or an editor line the place is plain to see: only problems of other
  // files say which file and line they are about)
  function show(el, list, line, where) {
    if (!el) { return; }
    el.textContent = "";
    list.forEach(function (p) {
      var para = document.createElement("p");
      para.className = "problem " + p.level;
      para.textContent = (line ? "第 " + line + " 行：" : "") + (p.level === "warning" ? "警告：" : "") + p.message + (where ? "（" + p.where + "）" : "");
      el.appendChild(para);
    });
  }
  function showProblems(r) {
    document.querySelectorAll("[data-field]").forEach(function (f) {
      show(document.getElementById("p-" + f.dataset.field), r.fields[f.dataset.field] || []);
    });
    var lines = document.getElementById("p-lines");
    lines.textContent = "";
    Object.keys(r.lines).forEach(function (n) {
      var holder = document.createElement("div");
      lines.appendChild(holder);
      show(holder, r.lines[n], n);
    });
    show(document.getElementById("p-other"), r.other, 0, true);
  }
  var timer = null, seq = 0;
  function refresh() {
    var mine = ++seq, data = new FormData(form);
    post("/preview/" + key, data).then(function (r) {
      if (mine !== seq) { return; }
      showProblems(r.problems);
      if (r.html) { preview.srcdoc = r.html; }
    }).catch(function (e) { status.textContent = "检查失败：" + e.message; });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 600); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 200); });
  refresh();

  // --- uploads ---------------------------------------------------------------------------------
  var limit = Number(form.dataset.limit) * 1024 * 1024;
  function upload(files) {
    files = Array.prototype.slice.call(files);
    var big = files.filter(function (f) { return f.size > limit; });
    if (big.length) { status.textContent = "文件太大：" + big.map(function (f) { return f.name; }).join("、") + "（每个最多 " + form.dataset.limit + " MB）"; return; }
    if (!files.length) { return; }
    var data = new FormData();
    files.forEach(function (f) { data.append("file", f, f.name); });
    data.append("version", document.getElementById("version").value);
    status.textContent = "正在上传 " + files.length + " 个文件……";
    post("/upload/" + key, data).then(function (r) {
      document.getElementById("version").value = r.version;
      r.markdown.forEach(insert);
      refreshFiles(r.all);
      status.textContent = "已上传：" + r.files.join("、");
    }).catch(function (e) { status.textContent = "上传失败：" + e.message; });
  }
  function refreshFiles(all) {
    var list = document.getElementById("attachment-list"), checked = {};
    if (list) {
      list.querySelectorAll("input:checked").forEach(function (i) { checked[i.value] = true; });
      list.textContent = "";
      all.forEach(function (n) {
        var label = document.createElement("label"), box = document.createElement("input");
        label.className = "check"; box.type = "checkbox"; box.name = "attachments"; box.value = n;
        box.checked = !!checked[n] || !/\.(jpe?g|png|gif|webp|avif)$/i.test(n);
        label.appendChild(box); label.appendChild(document.createTextNode(" " + n));
        list.appendChild(label);
      });
    }
    var cover = document.getElementById("f-cover");
    if (cover) {
      var chosen = cover.value;
      cover.querySelectorAll("option:not([value=''])").forEach(function (o) { o.remove(); });
      all.forEach(function (n) { var o = document.createElement("option"); o.textContent = n; o.selected = n === chosen; cover.appendChild(o); });
    }
  }
  var word = document.getElementById("word-input");
  if (word) {
    word.addEventListener("change", function () {
      var file = word.files[0], data = new FormData();
      word.value = "";
      if (!file) { return; }
      data.append("file", file, file.name);
      data.append("version", document.getElementById("version").value);
      status.textContent = "正在导入 " + file.name + "……";
      post("/import/" + key, data).then(function (r) {
        document.getElementById("version").value = r.version;
        // An item started from the document (nothing written yet) takes its title and summary;
        // otherwise only empty fields are filled and the admin's own title stays.
        var fresh = !body.value.trim();
        [["f-title", r.title], ["f-summary", r.summary], ["f-date", r.date]].forEach(function (pair) {
          var field = document.getElementById(pair[0]);
          if (field && pair[1] && (fresh || !field.value || pair[0] === "f-date")) { field.value = pair[1]; }
        });
        body.value = body.value.trim() ? body.value.replace(/\s*$/, "\n\n") + r.body : r.body;
        refreshFiles(r.all);
        status.textContent = "已从 " + file.name + " 导入" + (r.files.length ? "（" + r.files.length + " 张图片）" : "") + "。" + r.notes.join(" ");
        body.dispatchEvent(new Event("input"));
      }).catch(function (e) { status.textContent = "导入失败：" + e.message; });
    });
  }
  ["file-input", "camera-input"].forEach(function (id) {
    var input = document.getElementById(id);
    input.addEventListener("change", function () { upload(input.files); input.value = ""; });
  });
  [document.getElementById("dropzone"), body].forEach(function (zone) {
    zone.addEventListener("dragover", function (e) { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault(); zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) { upload(e.dataTransfer.files); }
    });
  });
})();
