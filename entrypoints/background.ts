export default defineBackground(() => {
  // Services are registered here by later modules.
});
