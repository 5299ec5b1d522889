// Keeps the dashboard's figures current from its event stream, when the browser has EventSource.
// Without this script the page is complete as the server drew it. Only numbers that changed are
// written, and only they are announced (politely) to screen readers.
(function () {
  var live = document.getElementById('dasbor-live');
  if (!live || !('EventSource' in window)) return;
  var url = live.getAttribute('data-stream');
  if (!url) return;

  function valueAt(data, path) {
    var parts = path.split('.');
    var value = data;
    for (var i = 0; i < parts.length; i++) {
      if (value === null || typeof value !== 'object') return undefined;
      value = value[parts[i]];
    }
    return value;
  }

  // What a figure is called on the page: its section's heading and its own term.
  function nameOf(element) {
    var term = element.previousElementSibling;
    var section = element.closest('section');
    var heading = section ? section.querySelector('h2') : null;
    var name = term ? term.textContent : '';
    return heading ? heading.textContent + ' – ' + name : name;
  }

  var source = new EventSource(url);
  source.addEventListener('overview', function (message) {
    var data;
    try {
      data = JSON.parse(message.data);
    } catch (e) {
      return;
    }
    var changed = [];
    var figures = document.querySelectorAll('[data-figure]');
    for (var i = 0; i < figures.length; i++) {
      var element = figures[i];
      var value = valueAt(data, element.getAttribute('data-figure'));
      if (typeof value !== 'number') continue;
      var text = String(value);
      if (element.textContent !== text) {
        element.textContent = text;
        changed.push(nameOf(element) + ' ' + text);
      }
    }
    live.setAttribute('data-connected', 'true');
    if (changed.length > 0) {
      live.textContent = live.getAttribute('data-updated') + ' ' + changed.join('; ');
    }
  });
})();
