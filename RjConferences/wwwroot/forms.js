// Form behaviour that needs no round trip to the server (GOV.UK patterns), loaded once for every page.
// Event delegation on the document, so it works for whatever Blazor renders later.
(() => {
    'use strict';

    // The character count (Components/Forms/CharacterCount.razor renders the same words on the server).
    // Blazor owns these elements, so only the text of the node it rendered changes here, never the node itself.
    const numbers = new Intl.NumberFormat('en-GB');
    const pauses = new WeakMap();

    const message = remaining => remaining >= 0
        ? `You have ${numbers.format(remaining)} character${remaining === 1 ? '' : 's'} remaining`
        : `You have ${numbers.format(-remaining)} character${remaining === -1 ? '' : 's'} too many`;

    const setText = (element, text) => {
        if (element.firstChild && element.firstChild.nodeType === Node.TEXT_NODE && element.childNodes.length === 1) {
            element.firstChild.nodeValue = text;
        } else {
            element.textContent = text;
        }
    };

    const updateCount = box => {
        const count = document.getElementById(`${box.id}-count`);
        if (!count) return;
        const limit = Number(box.dataset.characterLimit);
        const threshold = Number(box.dataset.characterThreshold || 0);
        const length = box.value.length;
        const shown = length >= threshold;
        const text = message(limit - length);
        setText(count, text);
        count.classList.toggle('d-none', !shown);
        count.classList.toggle('field-error', length > limit);
        count.classList.toggle('fw-bold', length > limit);

        // Screen readers hear the count once the user pauses, not at every key (as GOV.UK does).
        clearTimeout(pauses.get(box));
        pauses.set(box, setTimeout(() => {
            const status = document.getElementById(`${box.id}-count-status`);
            if (status) status.textContent = shown ? text : '';
        }, 1000));
    };

    document.addEventListener('input', event => {
        const box = event.target;
        if (box instanceof HTMLElement && box.dataset.characterLimit) updateCount(box);
    });

    // The legend of the input's group when it is a choice or the legend is close by (a date), else its label:
    // GOV.UK's rule, so that the user sees what the field is as well as the box.
    const captionOf = input => {
        const legend = input.closest('fieldset')?.querySelector('legend');
        if (legend) {
            if (input.type === 'checkbox' || input.type === 'radio') return legend;
            const box = input.getBoundingClientRect();
            if (box.top + box.height - legend.getBoundingClientRect().top < window.innerHeight / 2) return legend;
        }
        return document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
    };

    // The error summary (Components/Forms/ErrorSummary.razor): a link moves focus into its field, with the
    // field's label or legend scrolled into view (GOV.UK). Capture phase and preventDefault, so that
    // Blazor's navigation leaves the link alone.
    document.addEventListener('click', event => {
        const link = event.target instanceof Element ? event.target.closest('.error-summary a[href*="#"]') : null;
        if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        const id = decodeURIComponent(link.hash.slice(1));
        const input = document.getElementById(id);
        if (!input) return;
        event.preventDefault();
        (captionOf(input) || input).scrollIntoView();
        input.focus({ preventScroll: true });
    }, true);

    // A page that arrives with an error summary (a form posted without Blazor) puts focus on it.
    const focusSummary = () => {
        const summary = document.querySelector('.error-summary');
        if (summary && !summary.contains(document.activeElement)) summary.focus();
    };
    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', focusSummary);
    } else {
        focusSummary();
    }
})();
