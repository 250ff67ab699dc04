/*
 * Live build log for the deployment page. Progressive enhancement: without it the page shows the log so far and a
 * Refresh link. Server-sent events on <pre id="log" data-stream-url>:
 *   line   – one log line in data, appended as text
 *   status – the new status name (QUEUED, BUILDING, …); relabels the badge #status from its data-label-* attributes
 *   end    – the build finished: close the stream and reload so the page shows the final state and buttons
 */
(function () {
  'use strict';

  var log = document.getElementById('log');
  if (!log || !window.EventSource) {
    return;
  }
  var url = log.getAttribute('data-stream-url');
  if (!url || log.getAttribute('data-finished') === 'true') {
    return;
  }
  var badge = document.getElementById('status');
  var RELOAD_DELAY_MS = 1500;
  var STICK_PX = 24;

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight <= STICK_PX;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  // The server-rendered log may end mid-line; start streamed lines on a fresh one.
  var initial = log.textContent;
  var needsBreak = initial.length > 0 && initial.charAt(initial.length - 1) !== '\n';

  function appendLine(text) {
    var stick = atBottom();
    log.appendChild(document.createTextNode((needsBreak ? '\n' : '') + text + '\n'));
    needsBreak = false;
    if (stick) {
      scrollToEnd();
    }
  }

  function setStatus(status) {
    if (!badge || !/^[A-Z_]+$/.test(status)) {
      return;
    }
    var name = status.toLowerCase();
    var label = badge.getAttribute('data-label-' + name) || status;
    badge.className = badge.className.replace(/\bbadge--[a-z_]+\b/g, '').trim() + ' badge--' + name;
    badge.setAttribute('data-status', status);
    badge.textContent = label;
  }

  scrollToEnd();
  var source = new EventSource(url);
  source.addEventListener('line', function (event) {
    appendLine(event.data);
  });
  source.addEventListener('status', function (event) {
    setStatus(event.data.trim());
  });
  source.addEventListener('end', function () {
    source.close();
    log.setAttribute('data-finished', 'true');
    window.setTimeout(function () {
      window.location.reload();
    }, RELOAD_DELAY_MS);
  });
}());
