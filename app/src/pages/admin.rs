//! Administration (the trust role): accounts and API tokens. Plain forms, so every
//! change works without JavaScript; with it, the page updates in place. What a change
//! did (and a secret to pass on, shown once) comes back on the next view of the page
//! ([`crate::flash`]).

use crate::admin::{AdminData, TokenRow, UserRow};
use crate::flash::FlashView;
use crate::view::{Page, ScrollTable, Section};
use leptos::form::ActionForm;
use leptos::prelude::*;
use queries::types::{AcademyRef, Role};

#[cfg(feature = "ssr")]
async fn blocking<T: Send + 'static>(
    f: impl FnOnce(
            &crate::ssr::Warehouse,
            &queries::types::Principal,
        ) -> Result<T, crate::reports::ReportError>
        + Send
        + 'static,
) -> Result<T, ServerFnError> {
    let w = crate::ssr::warehouse()?;
    let who = crate::ssr::principal()?;
    match tokio::task::spawn_blocking(move || f(&w, &who)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(crate::reports::ReportError::Forbidden)) => Err(crate::ssr::forbidden()),
        Ok(Err(e)) => {
            tracing::error!("administration: {e}");
            Err(ServerFnError::new("the change could not be made"))
        }
        Err(e) => Err(ServerFnError::new(e.to_string())),
    }
}

/// The accounts, tokens and academies, and what the last change did.
#[server]
pub async fn get_admin() -> Result<AdminData, ServerFnError> {
    let mut data = blocking(crate::admin::data).await?;
    data.flash = crate::flash::take("admin").await?;
    Ok(data)
}

#[cfg(feature = "ssr")]
fn academies(list: &str) -> Vec<String> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Adds, changes, disables, enables or resets an account (`op`).
#[server]
pub async fn change_user(
    op: String,
    email: String,
    name: String,
    role: String,
    academies: String,
) -> Result<(), ServerFnError> {
    use crate::admin::UserChange;
    let role = Role::parse(&role);
    let change = match (op.as_str(), role) {
        ("add", Some(role)) => UserChange::Add {
            email,
            name,
            role,
            academies: self::academies(&academies),
        },
        ("set", Some(role)) => UserChange::Set {
            email,
            role,
            academies: self::academies(&academies),
        },
        ("disable", _) => UserChange::Disable(email),
        ("enable", _) => UserChange::Enable(email),
        ("reset", _) => UserChange::Reset(email),
        _ => return Err(ServerFnError::new("not a change this page makes")),
    };
    let flash = blocking(move |w, who| crate::admin::change_user(w, who, change)).await?;
    crate::flash::keep("admin", flash).await
}

/// Creates (`op` = create) or revokes (`op` = revoke, `id`) an API token.
#[server]
pub async fn change_token(
    op: String,
    name: String,
    scope: String,
    academy: String,
    id: String,
) -> Result<(), ServerFnError> {
    use crate::admin::TokenChange;
    use queries::accounts::TokenScope;
    let change = match op.as_str() {
        "create" => TokenChange::Create {
            name,
            scope: TokenScope::parse(&scope)
                .ok_or_else(|| ServerFnError::new(format!("\"{scope}\" is not a scope")))?,
            urn: Some(academy).filter(|a| !a.is_empty()),
        },
        "revoke" => TokenChange::Revoke(
            id.parse()
                .map_err(|_| ServerFnError::new(format!("\"{id}\" is not a token id")))?,
        ),
        _ => return Err(ServerFnError::new("not a change this page makes")),
    };
    let flash = blocking(move |w, who| crate::admin::change_token(w, who, change)).await?;
    crate::flash::keep("admin", flash).await
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let user = ServerAction::<ChangeUser>::new();
    let token = ServerAction::<ChangeToken>::new();
    let data = Resource::new(
        move || (user.version().get(), token.version().get()),
        |_| get_admin(),
    );
    view! {
        <Page
            title="Accounts and tokens"
            lead="Who may sign in and what they see; the tokens other systems use. Every change is in the audit log."
            data
            body=move |d| view! { <AdminBody d user token/> }
        />
    }
}

#[component]
fn AdminBody(
    d: AdminData,
    user: ServerAction<ChangeUser>,
    token: ServerAction<ChangeToken>,
) -> impl IntoView {
    let academies = d.academies.clone();
    let choices = d.academies.clone();
    view! {
        {d.flash.map(|f| view! { <FlashView f/> })}
        <Section id="users-h" heading=format!("Accounts ({})", d.users.len())>
            <ScrollTable id="users">
                <Head first="Account" second="Role and academies"/>
                <tbody>
                    {d.users.into_iter().map(|u| view! { <UserRowView u user/> }).collect_view()}
                </tbody>
            </ScrollTable>
            <h3>"Add an account"</h3>
            <ActionForm action=user attr:class="admin-form" attr:id="add-user">
                <input type="hidden" name="op" value="add"/>
                <label>"Email " <input type="email" name="email" required/></label>
                <label>"Name " <input type="text" name="name" required/></label>
                <RoleSelect selected=Role::Academy/>
                <AcademiesInput value=String::new() academies=academies/>
                <button type="submit">"Add"</button>
            </ActionForm>
        </Section>
        <Section id="tokens-h" heading=format!("API tokens ({})", d.tokens.len())>
            <ScrollTable id="tokens">
                <Head first="Token" second="Scope"/>
                <tbody>
                    {d.tokens.is_empty().then(|| view! { <tr><td colspan="4">"No tokens."</td></tr> })}
                    {d.tokens.into_iter().map(|t| view! { <TokenRowView t token/> }).collect_view()}
                </tbody>
            </ScrollTable>
            <h3>"Create a token"</h3>
            <ActionForm action=token attr:class="admin-form" attr:id="add-token">
                <input type="hidden" name="op" value="create"/>
                <input type="hidden" name="id" value=""/>
                <label>"What uses it " <input type="text" name="name" required/></label>
                <label>"Scope "
                    <select name="scope">
                        <option value="read">"Read aggregates (as a trust governor sees them)"</option>
                        <option value="read-pupils">"Read pupil level"</option>
                        <option value="upload">"Upload extracts for one academy"</option>
                    </select>
                </label>
                <label>"Academy (upload tokens) "
                    <select name="academy">
                        <option value="">"None"</option>
                        {choices.into_iter().map(|a| view! { <option value=a.urn>{a.name}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">"Create"</button>
            </ActionForm>
        </Section>
    }
}

/// The head of both tables: what the row is, what it has, its status, and changes.
#[component]
fn Head(first: &'static str, second: &'static str) -> impl IntoView {
    view! {
        <thead><tr>
            <th scope="col">{first}</th><th scope="col">{second}</th><th scope="col">"Status"</th><th scope="col">"Change"</th>
        </tr></thead>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    view! {
        <label>"Role "
            <select name="role">
                {[Role::Trust, Role::Academy, Role::Governor].into_iter().map(|r| view! {
                    <option value=r.as_str() selected=r == selected>{r.as_str()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn AcademiesInput(value: String, academies: Vec<AcademyRef>) -> impl IntoView {
    let hint = academies
        .iter()
        .map(|a| format!("{} {}", a.urn, a.name))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <label>"Academies (URNs, comma-separated) "
            <input type="text" name="academies" value=value title=hint inputmode="numeric"/>
        </label>
    }
}

/// A hidden-field form for one change to one account.
#[component]
fn UserButton(
    user: ServerAction<ChangeUser>,
    op: &'static str,
    email: String,
    label: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action=user attr:class="inline">
            <input type="hidden" name="op" value=op/>
            <input type="hidden" name="email" value=email/>
            <input type="hidden" name="name" value=""/>
            <input type="hidden" name="role" value=""/>
            <input type="hidden" name="academies" value=""/>
            <button type="submit">{label}</button>
        </ActionForm>
    }
}

#[component]
fn UserRowView(u: UserRow, user: ServerAction<ChangeUser>) -> impl IntoView {
    let email = u.email.clone();
    let toggle = email.clone();
    let reset = email.clone();
    view! {
        <tr class:ended=u.disabled>
            <th scope="row">{u.name.clone()}<br/><small>{u.email.clone()}</small></th>
            <td>
                <ActionForm action=user attr:class="inline">
                    <input type="hidden" name="op" value="set"/>
                    <input type="hidden" name="email" value=email/>
                    <input type="hidden" name="name" value=""/>
                    <RoleSelect selected=u.role/>
                    <label>"Academies " <input type="text" name="academies" value=u.academies.join(",") size="14"/></label>
                    <button type="submit">"Save"</button>
                </ActionForm>
            </td>
            <td>{if u.disabled { "disabled" } else { "active" }}</td>
            <td>
                {if u.disabled {
                    view! { <UserButton user op="enable" email=toggle label="Enable"/> }.into_any()
                } else {
                    view! { <UserButton user op="disable" email=toggle label="Disable"/> }.into_any()
                }}
                <UserButton user op="reset" email=reset label="Reset password"/>
            </td>
        </tr>
    }
}

#[component]
fn TokenRowView(t: TokenRow, token: ServerAction<ChangeToken>) -> impl IntoView {
    view! {
        <tr class:ended=t.revoked>
            <th scope="row">{format!("{} ({})", t.name, t.id)}</th>
            <td>{t.scope.clone()}{t.urn.map(|u| format!(" · {u}"))}</td>
            <td>{if t.revoked { "revoked" } else { "live" }}</td>
            <td>
                {(!t.revoked).then(|| view! {
                    <ActionForm action=token attr:class="inline">
                        <input type="hidden" name="op" value="revoke"/>
                        <input type="hidden" name="id" value=t.id.to_string()/>
                        <input type="hidden" name="name" value=""/>
                        <input type="hidden" name="scope" value=""/>
                        <input type="hidden" name="academy" value=""/>
                        <button type="submit">"Revoke"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
