// Fixture server for the browser tests: 127.0.0.1, a random port, and a log
// of every request it sees (so a test can prove a blocked page was never
// fetched). Serves tests/fixtures/ and a few generated pages.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');

const STRICT_CSP = "default-src 'self'; script-src 'self'; object-src 'none'; style-src 'self'";

const ORDINARY = [
  'Hôm nay trời nắng đẹp, các bạn nhỏ cùng nhau đi học và chơi ở sân trường.',
  'Cô giáo kể chuyện cổ tích về cây tre trăm đốt, cả lớp chăm chú lắng nghe.',
  'Bé tập đọc, tập viết và học đếm từ một đến một trăm cùng bố mẹ.',
  'Mùa thu, lá vàng rơi đầy đường, ông bà dẫn cháu đi dạo công viên.',
];

// A page script that keeps changing the page while Ô Che walks it, from
// the moment the page is shown (the gate opens): every 5 ms for 3 s it
// removes the first paragraph and puts a new one at the top, and now and
// then it replaces the document's adopted style sheets — the things the
// first-screen frontier counts on (content.js).
const CHURN = `<script>
new MutationObserver((records, obs) => {
  if (document.documentElement.hasAttribute('data-oche-gate')) return;
  obs.disconnect();
  let n = 0;
  const timer = setInterval(() => {
    const first = document.querySelector('body > p');
    if (first) first.remove();
    const p = document.createElement('p');
    p.textContent = 'Đoạn mới số ' + n + ': các bạn nhỏ cùng nhau đọc sách.';
    document.body.insertBefore(p, document.body.firstElementChild);
    if (++n % 8 === 0) {
      document.adoptedStyleSheets = [];
    }
    if (n >= 600) clearInterval(timer);
  }, 5);
}).observe(document.documentElement, { attributes: true, attributeFilter: ['data-oche-gate'] });
</script>`;

// In-page recorder: on every animation frame, notes any watched element
// that is visible and not blurred (window.__ocheSeen). Chromium tests install
// it before any page script runs; pages served with `record=1` carry it.
export const visibilityRecorder = (ids) => {
  window.__ocheSeen = [];
  const check = () => {
    for (const id of ids) {
      const el = document.getElementById(id);
      if (!el) continue;
      const cs = getComputedStyle(el);
      const blurred = el.closest('[data-oche-blur]') !== null;
      if (cs.visibility !== 'hidden' && cs.display !== 'none' && !blurred) window.__ocheSeen.push(id);
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
};

// A page script recording, for the tests, what a child could see: at the
// moment the gate opens, whether the first-screen frontier stood and the
// first and last paragraphs were shown (window.__atOpen); and every frame
// in which the harmful paragraph was shown unblurred (visibilityRecorder).
const RECORD = `<script>
(${visibilityRecorder})(['bad']);
const shown = (el) => el && getComputedStyle(el).visibility === 'visible';
new MutationObserver((records, obs) => {
  if (document.documentElement.hasAttribute('data-oche-gate') || !document.body) return;
  const ps = document.querySelectorAll('body > p');
  window.__atOpen = { rest: document.querySelector('[data-oche-rest]') !== null, first: shown(ps[0]), last: shown(ps[ps.length - 1]) };
  obs.disconnect();
}).observe(document.documentElement, { attributes: true, attributeFilter: ['data-oche-gate'] });
</script>`;

function bigPage(mb, harmfulLast, churn = false, record = false) {
  const target = mb * 1024 * 1024;
  const parts = ['<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Trang dài</title>' + (record ? RECORD : '') + (churn ? CHURN : '') + '</head><body><h1>Trang rất dài</h1>'];
  let size = 0;
  let i = 0;
  while (size < target) {
    const p = `<p>${ORDINARY[i % ORDINARY.length]} (${i})</p>`;
    parts.push(p);
    size += Buffer.byteLength(p);
    i++;
  }
  if (harmfulLast) parts.push('<p id="bad">Thằng ngu vãi lồn, đm mày cút đi</p>');
  parts.push('</body></html>');
  return parts.join('\n');
}

function manyNodes(n) {
  const parts = ['<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Nhiều nút</title></head><body>'];
  for (let i = 0; i < n; i++) parts.push(`<span>ô ${i}</span>`);
  parts.push('<div id="deep">');
  for (let i = 0; i < 400; i++) parts.push('<div>');
  parts.push('<p id="deepbad">đm thằng ngu vãi lồn</p>');
  for (let i = 0; i < 400; i++) parts.push('</div>');
  parts.push('</div><p id="end">Hết trang.</p></body></html>');
  return parts.join('');
}

// A throwaway self-signed certificate for the HTTPS stand-in of search
// engines (the browsers are started to accept it; nothing leaves 127.0.0.1).
function selfSignedCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oche-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=oche-test',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
}

// { https: true, port: 443 } serves the same pages over TLS (search-engine
// hosts are mapped to this machine by the browser's DNS override).
export function startServer({ https: tls = false, port: wanted = 0 } = {}) {
  const requests = [];
  const handler = (req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push({ host: req.headers.host || '', path: url.pathname, query: url.search, headers: req.headers });
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    if (url.pathname === '/big') {
      const q = url.searchParams;
      return send(200, bigPage(Number(q.get('mb') || 1), q.get('bad') === '1', q.get('churn') === '1', q.get('record') === '1'));
    }
    if (url.pathname === '/many') return send(200, manyNodes(Number(url.searchParams.get('n') || 1000)));
    let p = url.pathname;
    let headers = {};
    if (p.startsWith('/csp/')) {
      p = p.slice(4);
      headers = { 'content-security-policy': STRICT_CSP };
    }
    if (p === '/') p = '/benign-vi.html';
    const file = path.join(fixtures, path.normalize(p).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(fixtures) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      // Any other host or path (a "listed" site the test maps here): a page
      // whose text is harmless, so only the URL decides.
      return send(200, `<!doctype html><html><head><meta charset="utf-8"><title>site</title></head><body><p id="served">Trang ${req.headers.host}${url.pathname}</p></body></html>`, headers);
    }
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.json') ? 'application/json' : 'text/html; charset=utf-8';
    send(200, fs.readFileSync(file), { 'content-type': type, ...headers });
  };
  const server = tls ? https.createServer(selfSignedCert(), handler) : http.createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => {
      const { port } = server.address();
      const scheme = tls ? 'https' : 'http';
      resolve({
        port,
        requests,
        url: (p, host = '127.0.0.1') => (tls && port === 443 ? `https://${host}${p}` : `${scheme}://${host}:${port}${p}`),
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}
