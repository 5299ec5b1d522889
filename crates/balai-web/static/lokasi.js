// Fills the latitude and longitude of the complaint form from the browser's position, when the
// browser offers one and the reporter asks. Without this script the fields are typed by hand.
(function () {
  var button = document.getElementById('use-location');
  var lat = document.getElementById('lat');
  var lon = document.getElementById('long');
  if (!button || !lat || !lon || !('geolocation' in navigator)) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lon.value = position.coords.longitude.toFixed(6);
        button.disabled = false;
        lat.focus();
      },
      function () {
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
