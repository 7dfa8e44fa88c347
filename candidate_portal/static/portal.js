/* Every portal page: behaviour that used to sit in inline event handlers, which the portal's
   Content-Security-Policy no longer runs (docs/security.md). No libraries. */
(function () {
  "use strict";
  // <form data-confirm="确定…吗？">: the candidate confirms before the form is sent (放弃报考).
  document.addEventListener("submit", function (ev) {
    var message = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { ev.preventDefault(); }
  });
})();
