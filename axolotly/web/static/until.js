// "How long" an allow lasts (the title page's rows, the requests page's approve forms): the date and
// time box shows only while "Until…" is chosen, so a date typed under "For good" cannot look saved,
// and on the title page "How long" shows only while the row's rule is "Allow" (a deny is for good).
// Each select names by id what it shows (data-until-choice, data-rule-select). Hidden fields are
// still sent; the server reads the date only for "Until…" and "How long" only for an allow. Without
// this script everything shows, as the server reads it all the same.
const UNTIL = "until";
const ALLOW = "allow";

// A box in a reflowed table cell also takes the cell's heading (its data-label) along on a phone.
const show = (box, shown) => {
  box.hidden = !shown;
  const cell = box.parentElement;
  if (!cell || cell.tagName !== "TD" || cell.childElementCount !== 1) return;
  if (cell.dataset.label !== undefined) cell.dataset.untilLabel = cell.dataset.label;
  if (shown && cell.dataset.untilLabel !== undefined) cell.dataset.label = cell.dataset.untilLabel;
  if (!shown) delete cell.dataset.label;
};

const wire = (selector, attribute, wanted) => {
  const pairs = [...document.querySelectorAll(selector)]
    .map((select) => [select, document.getElementById(select.getAttribute(attribute))])
    .filter(([, box]) => box);
  const apply = () => pairs.forEach(([select, box]) => show(box, select.value === wanted));
  pairs.forEach(([select]) => select.addEventListener("change", apply));
  return apply;
};

const dates = wire("select[data-until-choice]", "data-until-choice", UNTIL);
const howLongs = wire("select[data-rule-select]", "data-rule-select", ALLOW);
const applyAll = () => {
  dates();
  howLongs();
};
applyAll();
// Back to a page the browser kept (or refilled): the boxes follow the choices as restored.
window.addEventListener("pageshow", applyAll);
