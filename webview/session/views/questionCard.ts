// A question from the agent (Codex plan-mode question, Claude AskUserQuestion): options as radio
// buttons or checkboxes, free text where allowed; answered by question id.
import { html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { buildAnswers } from '../../../src/engine/protocol/uiPolicy';
import type { PendingQuestion } from '../types';

type Built = ReturnType<typeof buildAnswers>;

/** Reads the form's picks and typed text; the answer is built by the shared rule (uiPolicy.buildAnswers). */
export function readAnswers(form: HTMLFormElement, q: PendingQuestion): Built {
  const data = new FormData(form);
  return buildAnswers(q, id => data.getAll(id).map(String), id => String(data.get(`${id}::text`) ?? ''));
}

export function questionTemplate(q: PendingQuestion, sent: boolean, submit: (built: Built) => void) {
  const onSubmit = (e: Event) => {
    e.preventDefault();
    submit(readAnswers(e.currentTarget as HTMLFormElement, q));
  };
  // Keyed by question id: a new question gets fresh inputs, not the choices made for the last one.
  return keyed(q.questionId, html`<section class="question-card" aria-label="Question from the agent" data-question-id=${q.questionId}>
    <form @submit=${onSubmit}>
      ${q.questions.map(item => {
        const options = item.options ?? [];
        const freeText = item.allowFreeText || options.length === 0;
        return html`<fieldset class="question" ?disabled=${sent}>
          <legend>${item.header ? html`<span class="badge">${item.header}</span> ` : nothing}${item.question}</legend>
          ${options.map(o => html`<label class="option"><input type=${item.multiSelect ? 'checkbox' : 'radio'} name=${item.id} value=${o.label}>
            <span>${o.label}</span>${o.description ? html`<span class="muted"> — ${o.description}</span>` : nothing}</label>`)}
          ${freeText ? html`<input class="text-input" type="text" name=${`${item.id}::text`} aria-label=${item.question}
            placeholder=${options.length ? 'Or type your own answer' : 'Your answer'}>` : nothing}
        </fieldset>`;
      })}
      <div class="question-actions">
        <button class="primary" type="submit" ?disabled=${sent}>Answer</button>
        ${sent ? html`<span class="muted" role="status">Answer sent…</span>` : nothing}
      </div>
    </form>
  </section>`);
}
