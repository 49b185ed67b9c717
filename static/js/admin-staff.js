/* Staff workspace: give the admin's autocomplete boxes (select2) the name of their field.
   Select2 names its box after the chosen value, which is nothing until one is chosen, and its
   search box after nothing at all; screen readers then announce an unnamed combobox. The boxes
   appear and are redrawn after the page loads, so we watch for them. */
(function () {
  "use strict";

  // The field's <label>; in a table of rows there is none, so a hidden one from the select's
  // own aria-label (which the server gives every field in a table).
  function labelFor(select) {
    if (!select || !select.id) return null;
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (!label && select.getAttribute("aria-label")) {
      label = document.getElementById(select.id + "-label");
      if (!label) {
        label = document.createElement("span");
        label.className = "visually-hidden";
        label.textContent = select.getAttribute("aria-label");
        select.parentNode.insertBefore(label, select);
      }
    }
    if (label && !label.id) label.id = select.id + "-label";
    return label;
  }

  function name(container) {
    var select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") return;
    var label = labelFor(select);
    if (!label) return;
    var text = label.textContent.replace(/:\s*$/, "").trim();
    container.querySelectorAll(".select2-selection").forEach(function (box) {
      var ids = (box.getAttribute("aria-labelledby") || "").split(" ");
      if (ids.indexOf(label.id) === -1) {
        box.setAttribute("aria-labelledby", [label.id].concat(ids).join(" ").trim());
      }
    });
    // Inside the box, the chosen value is a read-only "textbox" that needs a name of its own.
    container.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (shown) {
      if (!shown.getAttribute("aria-labelledby")) {
        shown.setAttribute("aria-labelledby", label.id + " " + shown.id);
      }
    });
    // A many-choice box lists the choices, and puts its "remove all" cross in the same list.
    container.querySelectorAll("ul.select2-selection__rendered > :not(li)").forEach(function (el) {
      el.setAttribute("role", "listitem");
    });
    container.querySelectorAll(".select2-search__field").forEach(function (field) {
      if (!field.getAttribute("aria-label")) field.setAttribute("aria-label", "Search " + text);
    });
  }

  // An open single-choice box searches from a drop-down at the end of the page.
  function nameDropdownSearch(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(
      ".select2-dropdown .select2-search__field"
    ).forEach(function (field) {
      var match = /^select2-(.+)-results$/.exec(field.getAttribute("aria-controls") || "");
      var label = match && labelFor(document.getElementById(match[1]));
      if (label && !field.getAttribute("aria-label")) {
        field.setAttribute("aria-label", "Search " + label.textContent.replace(/:\s*$/, "").trim());
      }
    });
  }

  // The two-list chooser's "type to filter" hint is a bare <span> with a name: call it an image.
  function tooltips(root) {
    (root.querySelectorAll ? root : document).querySelectorAll(
      ".help-tooltip[aria-label]:not([role])"
    ).forEach(function (hint) { hint.setAttribute("role", "img"); });
  }

  function nameAll(root) {
    tooltips(root);
    nameDropdownSearch(root);
    (root.querySelectorAll ? root : document).querySelectorAll(".select2-container").forEach(name);
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) return;
        var container = node.closest && node.closest(".select2-container");
        if (container) name(container);
        else nameAll(node);
        if (node.parentNode) tooltips(node.parentNode);
        if (node.closest && node.closest(".select2-dropdown")) nameDropdownSearch(node.closest(".select2-dropdown"));
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { nameAll(document); });
})();
