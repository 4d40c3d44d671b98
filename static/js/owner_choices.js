// An action's owner is someone from the owning agency: each owner list (select[data-owner-of])
// offers only the people of the agency chosen in the field it names, and none until one is
// chosen. The server refuses any other owner (Action.clean); this only keeps the list short.
(function () {
  function limit(owner, agency) {
    var chosen = agency.value;
    Array.prototype.forEach.call(owner.options, function (option) {
      if (!option.dataset.agency) return; // "Nobody named yet"
      var fits = option.dataset.agency === chosen;
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) owner.value = "";
    });
  }
  document.querySelectorAll("select[data-owner-of]").forEach(function (owner) {
    var agency = owner.form && owner.form.elements.namedItem(owner.dataset.ownerOf);
    if (!agency) return;
    limit(owner, agency);
    agency.addEventListener("change", function () { limit(owner, agency); });
  });
})();
