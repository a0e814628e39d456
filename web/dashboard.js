// mend's dashboard: live refresh, copying the report, deadlines counting down, actions that got
// no answer. No framework: htmx does the fragments.

// Something was recorded: every live region fetches its fragment again (hx-trigger mend:changed).
// EventSource reconnects by itself; the regions also refresh on a timer, so a lost stream only
// slows the page down.
function follow() {
  const source = new EventSource('/ui/events');
  source.addEventListener('changed', () => {
    document.body.dispatchEvent(new CustomEvent('mend:changed', { bubbles: true }));
  });
  source.addEventListener('error', () => {
    document.body.dataset.live = 'reconnecting';
  });
  source.addEventListener('open', () => {
    document.body.dataset.live = 'on';
  });
}

// "Copy the Markdown report": fetched with the session cookie, put on the clipboard.
function copyReports() {
  document.addEventListener('click', async (event) => {
    const button =
      event.target instanceof Element ? event.target.closest('[data-copy-from]') : null;
    if (!button) return;
    const original = button.textContent;
    try {
      const answer = await fetch(button.getAttribute('data-copy-from'), {
        credentials: 'same-origin',
      });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
      await navigator.clipboard.writeText(await answer.text());
      button.textContent = 'Copied';
    } catch (err) {
      button.textContent = `Not copied (${err.message}): use Download`;
    }
    setTimeout(() => {
      button.textContent = original;
    }, 3000);
  });
}

// Deadlines (an approval's expiry) count down between refreshes: from the milliseconds left when
// the page got them, on the browser's monotonic clock, so a browser clock that is off from
// mend's does not matter. A refresh brings new elements, counted afresh.
const seen = new WeakMap();

function words(ms) {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}`;
}

function countDown() {
  const now = performance.now();
  for (const element of document.querySelectorAll('[data-remaining-ms]')) {
    if (!seen.has(element)) seen.set(element, now);
    const left = Number(element.getAttribute('data-remaining-ms')) - (now - seen.get(element));
    const text = left > 0 ? `in ${words(left)}` : 'expired';
    if (element.textContent !== text) element.textContent = text;
  }
}

// An action that never reached mend (it stopped, the network went) says so where answers go:
// otherwise the button would look as if nothing happened.
function unanswered() {
  document.body.addEventListener('htmx:sendError', () => {
    const place = document.getElementById('answer');
    if (!place) return;
    const line = document.createElement('p');
    line.className = 'answer refused';
    line.setAttribute('role', 'status');
    line.textContent = 'Not sent: mend did not answer. Nothing was done; try again.';
    place.replaceChildren(line);
  });
}

if (document.querySelector('[hx-headers]')) follow();
copyReports();
unanswered();
countDown();
setInterval(countDown, 1000);
