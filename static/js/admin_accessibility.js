/* The Django admin's own markup, made to meet WCAG 2.2 AA where it falls short (issue 16):
   - a control in a tabular inline or an editable list is named by its column's header;
   - the date and time boxes of a date-and-time field are named by the field's label;
   - a select2 (autocomplete) box is named by its field's label, and its list holds only items;
   - the filter icons of a two-box selector, which carry a label, are images;
   - a table that scrolls sideways is a labelled region that takes keyboard focus.
   Loaded by templates/admin/base_site.html; runs once the page is parsed and again on whatever
   the admin adds later (a new inline row, a select2 box, a two-box selector). */
"use strict";
(function () {
  function textOf(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim().replace(/:$/, "") : "";
  }

  function isUnnamed(control) {
    return (
      control.type !== "hidden" &&
      (!control.labels || control.labels.length === 0) &&
      !control.hasAttribute("aria-label") &&
      !control.hasAttribute("aria-labelledby")
    );
  }

  function labelOf(fieldId) {
    const label = document.querySelector('label[for="' + fieldId + '"]');
    if (label && !label.id) label.id = fieldId + "_label";
    return label;
  }

  // The header of a table cell's column, given an id so that controls can point at it.
  function columnHeader(cell) {
    const field = Array.from(cell.classList).find((name) => name.startsWith("field-"));
    const table = cell.closest("table");
    const header = field && table && table.querySelector("thead th.column-" + field.slice(6));
    if (header && !header.id) {
      const group = cell.closest(".inline-group");
      header.id = (group ? group.id : "changelist") + "-column-" + field.slice(6);
    }
    return header;
  }

  function rowNumber(cell) {
    const row = cell.closest("tr");
    return row && row.parentElement ? Array.from(row.parentElement.rows).indexOf(row) + 1 : 0;
  }

  function nameTableControls(root) {
    root.querySelectorAll("td[class^='field-'], td[class*=' field-'], td.delete").forEach(function (cell) {
      const name = cell.classList.contains("delete") ? "Delete" : textOf(columnHeader(cell));
      const number = rowNumber(cell);
      cell.querySelectorAll("input, select, textarea").forEach(function (control) {
        if (name && isUnnamed(control)) {
          control.setAttribute("aria-label", name + (number ? ", row " + number : ""));
        }
      });
    });
  }

  function nameDateTimeBoxes(root) {
    root.querySelectorAll("p.datetime").forEach(function (paragraph) {
      const controls = paragraph.querySelectorAll("input");
      controls.forEach(function (control, index) {
        if (!isUnnamed(control)) return;
        const fieldId = control.id.replace(/_[01]$/, "");
        const field = textOf(labelOf(fieldId)) || textOf(labelOf(control.id));
        control.setAttribute("aria-label", (field ? field + ": " : "") + (index === 0 ? "date" : "time"));
      });
    });
  }

  function nameSelect2Boxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      const cell = select.closest("td");
      const label = labelOf(select.id) || (cell && columnHeader(cell));
      if (!label) return;
      const rendered = container.querySelector(".select2-selection__rendered");
      const names = label.id + (rendered && rendered.id ? " " + rendered.id : "");
      container.querySelectorAll("[role=combobox], [role=textbox]").forEach(function (box) {
        box.setAttribute("aria-labelledby", names);
      });
      container.querySelectorAll(".select2-search__field").forEach(function (search) {
        if (isUnnamed(search)) search.setAttribute("aria-label", textOf(label));
      });
      // A list holds only items: the "clear" button select2 puts in its list of choices
      // moves out beside it (select2 finds it anywhere in the box).
      container.querySelectorAll("ul.select2-selection__rendered > :not(li)").forEach(function (stray) {
        stray.parentElement.after(stray);
      });
    });
  }

  function markFilterIcons(root) {
    root.querySelectorAll("span.search-label-icon[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function makeScrollersFocusable(root) {
    root.querySelectorAll(".inline-group .tabular, #changelist .results").forEach(function (box) {
      if (box.hasAttribute("tabindex")) return;
      const heading = box.querySelector("h2");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", textOf(heading) || "Results");
      box.setAttribute("tabindex", "0");
    });
  }

  function mend() {
    nameTableControls(document);
    nameDateTimeBoxes(document);
    nameSelect2Boxes(document);
    markFilterIcons(document);
    makeScrollersFocusable(document);
  }

  let queued = false;
  new MutationObserver(function () {
    if (queued) return;
    queued = true;
    queueMicrotask(function () {
      queued = false;
      mend();
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", mend);
  window.addEventListener("load", mend);
})();
