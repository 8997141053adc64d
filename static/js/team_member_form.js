// Show only the pool that fits the chosen role: 组长 from 组长库, 组员 from 人才库.
(function () {
  "use strict";
  var form = document.getElementById("member-form");
  if (!form) return;
  var role = form.querySelector("select[name=role]");
  var cadre = form.querySelector("select[name=cadre]");
  if (!role || !cadre) return;
  function filter() {
    var wanted = {leader: ["leader"], member: ["talent"], deputy: ["leader", "talent"]}[role.value] || [];
    Array.prototype.forEach.call(cadre.options, function (option) {
      if (!option.value) return;
      var pools = (option.dataset.pools || "").split(" ");
      var fits = wanted.some(function (p) { return pools.indexOf(p) !== -1; });
      option.hidden = !fits;
      option.disabled = !fits;
      if (!fits && option.selected) cadre.value = "";
    });
  }
  role.addEventListener("change", filter);
  filter();
})();
