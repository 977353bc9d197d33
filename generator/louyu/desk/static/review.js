// The instructors' pages: decisions signed in this browser (sshsig.js), the key page.
// Without a key in use the forms post as they are; with one, each decision is first
// prepared by the desk (the exact message per item and the time), signed here, then posted.
import * as sshsig from "/static/sshsig.js";

const csrf = (document.getElementById("csrf") || {}).value || "";
const supportBox = document.getElementById("sig-support");

async function unsupported() {
  if (!window.isSecureContext) {
    return "此页面不是通过 HTTPS 打开的，浏览器不提供签名功能：请用 https:// 开头的书桌地址打开（在书桌所在的电脑上也可用 http://127.0.0.1）。";
  }
  if (!(await sshsig.supported())) {
    return "此浏览器不支持 Ed25519 签名（Web Crypto）：请升级到 Chrome 或 Edge 137、Firefox 129、Safari 17 或更新的版本后再审核。";
  }
  return "";
}

function say(box, text) {
  if (box) box.textContent = text;
}

function hidden(form, name, value) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  input.className = "signed-field";
  form.appendChild(input);
}

async function signAndSubmit(form, decision) {
  const status = form.querySelector(".sig-status");
  const who = form.dataset.who;
  const items = [...form.querySelectorAll("input[name=item]")]
    .filter((i) => i.type !== "checkbox" || i.checked).map((i) => i.value);
  const note = (form.querySelector("[name=note]") || {}).value || "";
  form.querySelectorAll(".signed-field").forEach((e) => e.remove());
  const problem = await unsupported();
  if (problem) return say(status, problem);
  const pair = await sshsig.loadKey(who);
  say(status, "正在签名…");
  const res = await fetch("/review/prepare", {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
    body: JSON.stringify({ decision, item: items, note }),
  });
  const data = await res.json();
  if (!res.ok) {
    if (data.kind === "changed") {  // the desk shows what changed since the page was opened
      hidden(form, "decision", decision);
      return form.submit();
    }
    return say(status, data.error || "无法审核");
  }
  if (!pair) {
    status.textContent = "本机浏览器中还没有您的签名密钥：请先到“我的签名密钥”生成，并请管理员登记。";
    return;
  }
  hidden(form, "decision", decision);
  hidden(form, "at", data.at);
  for (const message of data.messages) hidden(form, "signature", await sshsig.sign(pair, message));
  form.submit();
}

for (const form of document.querySelectorAll("form[data-sign='1']")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const decision = event.submitter ? event.submitter.value : "";
    signAndSubmit(form, decision).catch((e) => say(form.querySelector(".sig-status"), "签名失败：" + e));
  });
}

if (document.querySelector("form[data-sign='1'], #key-page")) {
  unsupported().then((problem) => {
    if (problem && supportBox) {
      supportBox.textContent = problem;
      supportBox.hidden = false;
    }
  });
}

async function keyPage(box) {
  const who = box.dataset.who;
  const registered = (box.dataset.registered || "").split(" ");  // the key blobs valid now
  const state = document.getElementById("key-state");
  const make = document.getElementById("make-key");
  const show = async (pair) => {
    const line = await sshsig.publicKeyLine(pair, who + "@louyu-desk");
    document.getElementById("key-line").value = line;
    document.getElementById("key-line-box").hidden = false;
    if (registered.includes(line.split(" ")[1])) {
      state.textContent = "本机密钥已登记，可以签名审核。";
      return;
    }
    state.textContent = "本机密钥尚未登记：请管理员把下面的条目写入站点文件并提交（书桌的“密钥登记”页面也列出了它）。";
    const res = await fetch("/review/key", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, accept: "application/json" },
      body: JSON.stringify({ key: line }),
    });
    const data = await res.json();
    if (!res.ok) return say(state, data.error || "无法提交登记申请");
    document.getElementById("key-entry").value = data.snippet;
    document.getElementById("key-entry-box").hidden = false;
  };
  if (await unsupported()) {
    state.textContent = "无法在此浏览器中生成签名密钥。";
    return;
  }
  const pair = await sshsig.loadKey(who);
  if (pair) return show(pair);
  state.textContent = "本机浏览器中还没有您的签名密钥。";
  make.hidden = false;
  make.addEventListener("click", async () => {
    make.disabled = true;
    make.hidden = true;
    await show(await sshsig.createKey(who));
  });
}

const keyBox = document.getElementById("key-page");
if (keyBox) keyPage(keyBox).catch((e) => say(document.getElementById("key-state"), "出错了：" + e));
