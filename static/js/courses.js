// Enhancements for the course search. The page works fully without them.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("course-search");
  if (!form) return;

  // Sorting: apply as soon as a new order is chosen; the Sort button stays for no-JS users.
  const sort = document.querySelector('select[name="sort"][form="course-search"]');
  const sortButton = document.querySelector("[data-sort-submit]");
  if (sort && sortButton) {
    sortButton.hidden = true;
    sort.addEventListener("change", () => form.requestSubmit());
  }

  // "Use my location": fills the hidden lat/lng fields from the browser, with the learner's consent.
  const locate = document.querySelector("[data-geolocation]");
  const status = document.querySelector("[data-geolocation-status]");
  const lat = document.querySelector('input[name="lat"][form="course-search"]');
  const lng = document.querySelector('input[name="lng"][form="course-search"]');
  if (locate && lat && lng && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", () => {
      status.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(
        (position) => {
          lat.value = position.coords.latitude.toFixed(5);
          lng.value = position.coords.longitude.toFixed(5);
          const postcode = document.querySelector('input[name="postcode"][form="course-search"]');
          if (postcode) postcode.value = "";
          status.textContent = "Searching near your location.";
          form.requestSubmit();
        },
        () => {
          status.textContent = "We could not get your location. Enter a postcode instead.";
        },
        { timeout: 10000, maximumAge: 600000 },
      );
    });
  }
});
