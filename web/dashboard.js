// mend's dashboard: live refresh and copying the report. No framework: htmx does the fragments.

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

if (document.querySelector('[hx-headers]')) follow();
copyReports();
