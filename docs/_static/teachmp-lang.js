// The language switch keeps the reader's place: the section anchor (#...)
// and the query (?q=... on the search page, ?highlight=... after a search).
// Both languages are built from the same source, so a section has the same
// id in each.  The link's href is completed when it is clicked (the anchor
// changes as the reader follows the page's table of contents).
document.addEventListener("click", function (event) {
  var link = event.target.closest
    ? event.target.closest("nav.teachmp-lang-switch a.teachmp-lang")
    : null;
  if (!link) {
    return;
  }
  var base = link.getAttribute("href").split("#")[0].split("?")[0];
  link.setAttribute("href", base + window.location.search + window.location.hash);
});
