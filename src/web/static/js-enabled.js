// Lets govuk-frontend style components for JavaScript; kept in a file because the CSP forbids inline scripts.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
