// The login page: password flow, then on to the console.
import { loadLang, t, currentLang } from './i18n.js';
import { login } from './session.js';

async function main() {
  await loadLang();
  const form = document.getElementById('login-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = document.getElementById('login-error');
    error.textContent = '';
    try {
      await login(form.username.value.trim(), form.password.value);
      location.assign('/console');
    } catch (err) {
      error.textContent = err.status === 401 ? t('login.failed') : `${t('error.action')}: ${err.message}`;
    }
  });
  document.getElementById('lang-switch').addEventListener('click', () => loadLang(currentLang() === 'th' ? 'en' : 'th'));
  document.body.dataset.ready = 'true';
}

main();
