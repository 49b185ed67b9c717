// "Use my current location" on the nearest-institute page. The page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("nearest-form");
  const locate = document.querySelector("[data-nearest-locate]");
  const status = document.querySelector("[data-nearest-status]");
  if (!form || !locate || !status || !("geolocation" in navigator)) return;
  const lat = form.querySelector('input[name="lat"]');
  const lng = form.querySelector('input[name="lng"]');
  const postcode = form.querySelector('input[name="postcode"]');
  locate.hidden = false;
  locate.addEventListener("click", () => {
    status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(5);
        lng.value = position.coords.longitude.toFixed(5);
        if (postcode) postcode.value = "";
        status.textContent = "Finding the institutes nearest to your location.";
        form.requestSubmit();
      },
      () => {
        status.textContent = "We could not get your location. Enter your postcode instead.";
      },
      { timeout: 10000, maximumAge: 600000 },
    );
  });
  // A postcode typed after using the location means the postcode.
  if (postcode) {
    postcode.addEventListener("input", () => {
      lat.value = "";
      lng.value = "";
    });
  }
});
