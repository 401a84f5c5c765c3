/* guard.js - first in the page's <head>: notes every script error, unhandled
   rejection, console.error and request the page's policy blocked, in the
   page itself (the pre element "errors" and the data-errors attribute of
   the root element), so that a reader, and a test reading the DOM, can see them. */
(function () {
  'use strict';
  var root = document.documentElement, n = 0, pending = [];
  root.setAttribute('data-errors', '0');
  function flush() {
    var e = document.getElementById('errors');
    if (!e) return;
    e.hidden = false;
    e.textContent += pending.join('\n') + '\n';
    pending = [];
  }
  function note(m) {
    n++;
    root.setAttribute('data-errors', String(n));
    pending.push(m);
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', flush);
    else flush();
  }
  window.addEventListener('error', function (e) {
    note('error: ' + (e.message || (e.target && e.target.tagName) || e.type) + ' ' + (e.lineno || ''));
  }, true);
  window.addEventListener('unhandledrejection', function (e) { note('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) {
    note('request blocked by the page policy: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
  var ce = console.error;
  console.error = function () {
    note('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return ce.apply(console, arguments);
  };
})();
