import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { describeError, isApiError } from '../api/errors';
import { useProfile, useUpdateProfile } from '../api/queries';
import type { DashboardSettings, Profile } from '../api/types';
import { addressParts, limits, type AddressPart } from '../lib/validation';
import {
  buildUpdate,
  placeServerErrors,
  validate,
  valuesFromProfile,
  type FormErrors,
  type FormValues,
  type TextField,
} from './profileForm';

const partLabels: Record<AddressPart, string> = {
  name: 'Recipient name (optional)',
  line1: 'Address line 1',
  line2: 'Address line 2 (optional)',
  city: 'City',
  state: 'State / region',
  postalCode: 'Postal code',
  country: 'Country code',
};

const partAutocomplete: Record<AddressPart, string> = {
  name: 'name',
  line1: 'address-line1',
  line2: 'address-line2',
  city: 'address-level2',
  state: 'address-level1',
  postalCode: 'postal-code',
  country: 'country',
};

const settingLabels: Record<keyof DashboardSettings, string> = {
  showOrderHistory: 'Show my order history',
  showNftHoldings: 'Show my NFT holdings',
  emailNotifications: 'Email me about orders and drops',
};

type AddressKey = 'shippingAddress' | 'billingAddress';

const knownFields = new Set<string>([
  'displayName',
  'email',
  'phone',
  'avatarUrl',
  'preferredWallet',
  ...addressParts.map((p) => `shippingAddress.${p}`),
  ...addressParts.map((p) => `billingAddress.${p}`),
]);

interface FieldProps {
  id: string;
  label: string;
  error: string | undefined;
  hint?: ReactNode;
  children: (aria: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}

function Field({ id, label, error, hint, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

interface Props {
  formId: string;
  /**
   * Called when the form closes; message says what happened ("Profile saved."), and codeSent that a new email
   * now waits for the code mailed to it.
   */
  onDone: (message: string | null, opts?: { codeSent?: boolean }) => void;
}

/**
 * ProfileEditForm edits the profile with the server's rules checked as the
 * member submits, saves only what changed (optimistically, with rollback),
 * conditional on the version being edited, and shows the server's field
 * errors next to the fields they name.
 */
export function ProfileEditForm(props: Props) {
  const { data } = useProfile();
  if (!data) return null;
  return <ProfileEditFormInner {...props} profile={data.profile} />;
}

function ProfileEditFormInner({ formId, onDone, profile }: Props & { profile: Profile }) {
  const idBase = useId();
  const fieldId = (name: string) => `${idBase}-${name.replace('.', '-')}`;
  const { refetch } = useProfile();
  const mutation = useUpdateProfile();

  // The version being edited: If-Match, and the baseline of "what changed".
  const [base, setBase] = useState<Profile>(profile);
  const [initial, setInitial] = useState<FormValues>(() => valuesFromProfile(profile));
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [summary, setSummary] = useState<{ title: string; items: string[]; conflict?: boolean } | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  const focusFirstError = (errs: FormErrors) => {
    const first = Object.keys(errs)
      .map((k) => document.getElementById(fieldId(k)))
      .filter((el): el is HTMLElement => el !== null)
      .sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1))[0];
    (first ?? summaryRef.current)?.focus();
  };

  const setText = (k: TextField) => (value: string) => {
    setValues((v) => ({ ...v, [k]: value }));
  };
  const setPart = (a: AddressKey, p: AddressPart) => (value: string) => {
    setValues((v) => ({ ...v, [a]: { ...v[a], [p]: value } }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mutation.isPending) return;
    const errs = validate(values);
    setErrors(errs);
    if (Object.keys(errs).length > 0) {
      const n = Object.keys(errs).length;
      setSummary({ title: `Please fix ${n === 1 ? 'the highlighted field' : `the ${n} highlighted fields`} before saving.`, items: [] });
      requestAnimationFrame(() => focusFirstError(errs));
      return;
    }
    const update = buildUpdate(initial, values);
    if (Object.keys(update).length === 0) {
      onDone('There were no changes to save.');
      return;
    }
    setSummary(null);
    mutation.mutate(
      { update, updatedAt: base.updatedAt },
      {
        onSuccess: (res) => {
          if (res.emailVerificationSent && res.profile.pendingEmail) {
            onDone(`Profile saved. To confirm your new email address, enter the code we sent to ${res.profile.pendingEmail}.`, { codeSent: true });
            return;
          }
          onDone(res.emailChanged ? 'Profile saved. Your email address has changed.' : 'Profile saved.');
        },
        onError: (err) => {
          if (isApiError(err) && err.code === 'precondition_failed') {
            setSummary({
              title: 'Your profile was changed somewhere else (another tab or device) since you opened this form, so these changes were not saved.',
              items: ['Reload to get the latest version, then make your changes again.'],
              conflict: true,
            });
            requestAnimationFrame(() => summaryRef.current?.focus());
            return;
          }
          const { placed, unplaced } = placeServerErrors(isApiError(err) ? err.fields : {}, values, knownFields);
          setErrors(placed);
          setSummary({
            title: `Your changes were not saved. ${describeError(err)}`,
            items: unplaced.map(([k, m]) => `${k}: ${m}`),
          });
          requestAnimationFrame(() => focusFirstError(placed));
        },
      },
    );
  };

  const reload = async () => {
    const res = await refetch();
    if (!res.data) return;
    const fresh = valuesFromProfile(res.data.profile);
    setBase(res.data.profile);
    setInitial(fresh);
    setValues(fresh);
    setErrors({});
    setSummary(null);
    mutation.reset();
  };

  const text = (k: TextField, label: string, opts: { type?: string; autoComplete?: string; hint?: ReactNode; maxLength?: number; inputMode?: 'tel' | 'email' | 'url' | 'text' } = {}) => (
    <Field id={fieldId(k)} label={label} error={errors[k]} hint={opts.hint}>
      {(aria) => (
        <input
          {...aria}
          name={k}
          type={opts.type ?? 'text'}
          autoComplete={opts.autoComplete}
          inputMode={opts.inputMode}
          maxLength={opts.maxLength}
          value={values[k]}
          onChange={(e) => setText(k)(e.target.value)}
        />
      )}
    </Field>
  );

  const address = (a: AddressKey, legend: string) => (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      <p className="field__hint">Leave every line empty to remove this address.</p>
      <div className="grid-2">
        {addressParts.map((p) => {
          const k = `${a}.${p}`;
          return (
            <Field key={k} id={fieldId(k)} label={partLabels[p]} error={errors[k]} hint={p === 'country' ? 'Two letters, such as US or GB.' : undefined}>
              {(aria) => (
                <input
                  {...aria}
                  name={k}
                  type="text"
                  autoComplete={`${a === 'shippingAddress' ? 'shipping' : 'billing'} ${partAutocomplete[p]}`}
                  maxLength={p === 'country' ? 2 : limits.addressPart}
                  value={values[a][p]}
                  onChange={(e) => setPart(a, p)(p === 'country' ? e.target.value.toUpperCase() : e.target.value)}
                />
              )}
            </Field>
          );
        })}
      </div>
    </fieldset>
  );

  const walletChanged = values.preferredWallet.trim().toLowerCase() !== initial.preferredWallet.trim().toLowerCase();

  return (
    <form id={formId} className="card form" onSubmit={submit} noValidate aria-labelledby={`${idBase}-title`}>
      <div className="card__header">
        <h3 id={`${idBase}-title`}>Edit profile</h3>
      </div>

      {summary && (
        <div ref={summaryRef} className={`notice ${summary.conflict ? 'notice--warning' : 'notice--error'}`} role="alert" tabIndex={-1}>
          <p className="notice__title">{summary.title}</p>
          {summary.items.length > 0 && (
            <ul>
              {summary.items.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
          {summary.conflict && (
            <button type="button" className="button" onClick={() => void reload()}>
              Reload profile
            </button>
          )}
        </div>
      )}

      <fieldset className="fieldset">
        <legend>About you</legend>
        <div className="grid-2">
          {text('displayName', 'Display name', { autoComplete: 'nickname', maxLength: 200, hint: `Up to ${limits.displayName} characters.` })}
          {text('email', 'Email', {
            type: 'email',
            autoComplete: 'email',
            inputMode: 'email',
            hint: profile.pendingEmail
              ? `A code is waiting to confirm ${profile.pendingEmail}. Saving another address replaces that change.`
              : 'A new address takes effect once you enter the code we email to it.',
          })}
          {text('phone', 'Phone (optional)', { type: 'tel', autoComplete: 'tel', inputMode: 'tel', hint: 'Digits, spaces and + - ( ), up to 20 characters.' })}
          {text('avatarUrl', 'Avatar image URL (optional)', { type: 'url', inputMode: 'url', hint: 'An https:// link to your picture.' })}
        </div>
        {text('preferredWallet', 'Wallet address (optional)', {
          autoComplete: 'off',
          hint: walletChanged
            ? 'A new address joins your wallets unverified; verify it under NFT holdings → Wallets.'
            : 'Your primary wallet (0x…), whose NFTs show here. Add and verify more under NFT holdings → Wallets.',
        })}
      </fieldset>

      {address('shippingAddress', 'Shipping address')}

      <div className="checkbox">
        <input
          id={fieldId('sameAsShipping')}
          type="checkbox"
          checked={values.sameAsShipping}
          onChange={(e) => setValues((v) => ({ ...v, sameAsShipping: e.target.checked }))}
        />
        <label htmlFor={fieldId('sameAsShipping')}>Billing address same as shipping</label>
      </div>
      {!values.sameAsShipping && address('billingAddress', 'Billing address')}

      <fieldset className="fieldset">
        <legend>Dashboard settings</legend>
        {(Object.keys(settingLabels) as (keyof DashboardSettings)[]).map((k) => (
          <div className="checkbox" key={k}>
            <input
              id={fieldId(`settings-${k}`)}
              type="checkbox"
              checked={values.dashboardSettings[k]}
              onChange={(e) => setValues((v) => ({ ...v, dashboardSettings: { ...v.dashboardSettings, [k]: e.target.checked } }))}
            />
            <label htmlFor={fieldId(`settings-${k}`)}>{settingLabels[k]}</label>
          </div>
        ))}
      </fieldset>

      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={mutation.isPending} aria-disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" className="button button--ghost" onClick={() => onDone(null)} disabled={mutation.isPending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
