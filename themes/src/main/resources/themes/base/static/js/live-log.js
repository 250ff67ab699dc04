/*
 * Live build log for the deployment page. Progressive enhancement: without it the page shows the log so far and a
 * Refresh link. Server-sent events on <pre id="log" data-stream-url>:
 *   line   – one log line in data, appended as text
 *   status – the new status name (QUEUED, BUILDING, …); relabels the badge #status from its data-label-* attributes
 *            and moves the stage view #stages on: the current stage keeps the time it ran, the new one starts ticking
 *   end    – the build finished: close the stream and reload so the page shows the final state and buttons
 * The current stage's time ticks from its data-elapsed-ms (how long it had run when the page was made), measured with
 * this page's own clock, so a difference between the browser's and the server's clocks does not matter.
 * When the stream breaks (the network, a restart, or the server letting go of a client that fell too far behind),
 * EventSource reconnects by itself and sends Last-Event-ID, the id of the last line shown; the server goes on from the
 * next line (it prefers that header to the ?after= of the page's URL), so nothing is shown twice or missed. Only 'end'
 * closes the stream.
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

  // Same format as the server's durations: "4.2 s", "42 s", "3 min 5 s".
  function formatDuration(millis) {
    if (millis < 10000) {
      return (Math.floor(Math.max(0, millis) / 100) / 10).toFixed(1) + ' s';
    }
    var seconds = Math.floor(millis / 1000);
    return seconds < 60 ? seconds + ' s' : Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
  }

  var stages = document.getElementById('stages');
  var running = null; // { item, duration element, elapsed when the page was made, page time then }
  var ticker = null;

  function hiddenText(item, text) {
    var hidden = item.querySelector('.stage__time .visually-hidden');
    if (hidden && text) {
      hidden.textContent = text + ' ';
    }
  }

  function tick() {
    if (running) {
      running.duration.textContent = formatDuration(running.base + (Date.now() - running.since));
    }
  }

  function startTicking(item, baseMillis) {
    var duration = item.querySelector('.stage__duration');
    if (!duration) {
      return;
    }
    running = { item: item, duration: duration, base: baseMillis, since: Date.now() };
    tick();
    if (!ticker) {
      ticker = window.setInterval(tick, 500);
    }
  }

  function stopTicking() {
    if (running) {
      tick();
      var item = running.item;
      item.className = 'stage stage--done';
      item.removeAttribute('aria-current');
      hiddenText(item, stages.getAttribute('data-text-done'));
      var bar = item.querySelector('.stage__progress');
      if (bar) {
        bar.parentNode.removeChild(bar);
      }
      running = null;
    }
    if (ticker) {
      window.clearInterval(ticker);
      ticker = null;
    }
  }

  function stageItem(status) {
    var items = stages.querySelectorAll('.stage');
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute('data-status') === status) {
        return items[i];
      }
    }
    return null;
  }

  function showOutcome(status) {
    var pending = stages.querySelectorAll('.stage--pending');
    for (var i = 0; i < pending.length; i++) {
      pending[i].parentNode.removeChild(pending[i]);
    }
    var item = document.createElement('li');
    item.className = 'stage stage--outcome';
    item.setAttribute('data-status', status);
    var name = document.createElement('span');
    name.className = 'stage__name';
    var hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = (stages.getAttribute('data-text-outcome') || '') + ' ';
    var outcome = document.createElement('span');
    outcome.className = 'badge badge--' + status.toLowerCase();
    outcome.setAttribute('data-status', status);
    outcome.textContent = (badge && badge.getAttribute('data-label-' + status.toLowerCase())) || status;
    name.appendChild(hidden);
    name.appendChild(outcome);
    item.appendChild(name);
    stages.appendChild(item);
  }

  function moveStages(status) {
    if (!stages) {
      return;
    }
    var item = stageItem(status);
    if (running && running.item === item) {
      return;
    }
    stopTicking();
    if (/^(LIVE|FAILED|CANCELLED)$/.test(status)) {
      showOutcome(status);
      return;
    }
    if (!item) {
      return;
    }
    // stages the build went through too quickly for an event of their own are done, their time unknown
    var earlier = item.previousElementSibling;
    while (earlier && earlier.className.indexOf('stage--pending') >= 0) {
      earlier.className = 'stage stage--done';
      hiddenText(earlier, stages.getAttribute('data-text-done'));
      earlier = earlier.previousElementSibling;
    }
    item.className = 'stage stage--current';
    item.setAttribute('aria-current', 'step');
    hiddenText(item, stages.getAttribute('data-text-current'));
    if (!item.querySelector('.stage__progress')) {
      var bar = document.createElement('span');
      bar.className = 'stage__progress';
      bar.setAttribute('aria-hidden', 'true');
      item.appendChild(bar);
    }
    startTicking(item, 0);
  }

  if (stages) {
    var current = stages.querySelector('.stage--current .stage__duration[data-elapsed-ms]');
    if (current) {
      startTicking(current.parentNode.parentNode, parseInt(current.getAttribute('data-elapsed-ms'), 10) || 0);
    }
  }

  scrollToEnd();
  var source = new EventSource(url);
  source.addEventListener('line', function (event) {
    appendLine(event.data);
  });
  // publishing progress: polled from the deployment's JSON while it uploads
  var upload = document.getElementById('upload-progress');
  var uploadTimer = null;
  function formatBytes(bytes) {
    var units = ['B', 'KB', 'MB', 'GB', 'TB'];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value = value / 1024;
      unit++;
    }
    return (unit === 0 ? String(value) : value.toFixed(1)) + ' ' + units[unit];
  }
  function showUpload(progress) {
    var bar = upload.querySelector('progress');
    var text = upload.querySelector('.upload__text');
    bar.max = Math.max(progress.bytesTotal, 1);
    bar.value = progress.bytesDone;
    text.textContent = (upload.getAttribute('data-text') || '{0}/{1} {2}/{3}')
        .replace('{0}', progress.filesDone).replace('{1}', progress.filesTotal)
        .replace('{2}', formatBytes(progress.bytesDone)).replace('{3}', formatBytes(progress.bytesTotal));
    upload.hidden = false;
  }
  function pollUpload() {
    var request = new XMLHttpRequest();
    request.open('GET', upload.getAttribute('data-progress-url'));
    request.setRequestHeader('Accept', 'application/json');
    request.onload = function () {
      if (request.status !== 200) {
        return;
      }
      var deployment = JSON.parse(request.responseText);
      if (deployment.upload && deployment.upload.running) {
        showUpload(deployment.upload);
      }
    };
    request.send();
  }
  function followUpload(status) {
    if (!upload || !upload.getAttribute('data-progress-url')) {
      return;
    }
    if (status === 'UPLOADING' && uploadTimer === null) {
      pollUpload();
      uploadTimer = window.setInterval(pollUpload, 1500);
    } else if (status !== 'UPLOADING' && uploadTimer !== null) {
      window.clearInterval(uploadTimer);
      uploadTimer = null;
    }
  }
  if (badge) {
    followUpload(badge.getAttribute('data-status'));
  }

  source.addEventListener('status', function (event) {
    var status = event.data.trim();
    followUpload(status);
    setStatus(status);
    if (/^[A-Z_]+$/.test(status)) {
      moveStages(status);
    }
  });
  source.addEventListener('end', function () {
    followUpload('END');
    source.close();
    stopTicking();
    log.setAttribute('data-finished', 'true');
    window.setTimeout(function () {
      window.location.reload();
    }, RELOAD_DELAY_MS);
  });
}());
