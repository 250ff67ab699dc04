<#-- The plain-text body of every notification. Plain text: nothing is escaped here. -->
<#assign projectName = (project.name)!"the project">
${summary}

<#switch kind>
  <#case "deployment.queued">
Deployment #${deployment.id} of ${projectName} is queued and waits for a free builder.
    <#break>
  <#case "deployment.started">
Deployment #${deployment.id} of ${projectName} started building.
    <#break>
  <#case "deployment.succeeded">
Deployment #${deployment.id} of ${projectName} is live.
    <#break>
  <#case "deployment.failed">
Deployment #${deployment.id} of ${projectName} failed.
    <#break>
  <#case "deployment.cancelled">
Deployment #${deployment.id} of ${projectName} was cancelled.
    <#break>
  <#case "deployment.broken">
Deployments of ${projectName} are broken: #${deployment.id} failed after the last one succeeded.
    <#break>
  <#case "deployment.fixed">
Deployments of ${projectName} are fixed: #${deployment.id} is live after earlier failures.
    <#break>
  <#case "deployment.rolled_back">
${byUser!"Someone"} rolled ${projectName} back to deployment #${deployment.id}.
    <#break>
  <#case "preview.ready">
A preview of ${(deployment.branch)!"a branch"} of ${projectName} is ready.
    <#break>
  <#case "preview.removed">
The preview ${preview!""} of ${projectName} was removed.
    <#break>
  <#case "certificate.issued">
A certificate for ${domain} was issued. It is valid until ${notAfter}.
    <#break>
  <#case "certificate.renewed">
The certificate for ${domain} was renewed. It is valid until ${notAfter}.
    <#break>
  <#case "certificate.renewal_failing">
Renewing the certificate for ${domain} failed; Miaobu tries again later. The current certificate is valid until ${notAfter}.
    <#break>
  <#case "certificate.expiring">
The certificate for ${domain} expires on ${notAfter}, and renewing it keeps failing. Sites on ${domain} stop working over https when it expires.
    <#break>
  <#case "domain.verified">
The domain ${domain} of ${projectName} is verified.
    <#break>
  <#case "domain.failed">
The domain ${domain} of ${projectName} failed verification.
    <#break>
  <#case "plugin.failed">
The plugin ${pluginId} failed to load or start. What it provides is not available until an admin fixes it.
    <#break>
  <#case "test">
This is a test message from Miaobu<#if requestedBy??>, sent by ${requestedBy}</#if>. Your email settings work: Miaobu can send you notifications.
    <#break>
  <#default>
</#switch>
<#if reason??>

Reason: ${reason}
</#if>
<#if error??>

Error: ${error}
</#if>
<#if project?? || deployment??>

<#if project??>
Project:    ${project.name}
</#if>
<#if deployment??>
Deployment: #${deployment.id}
<#if deployment.branch??>
Branch:     ${deployment.branch}
</#if>
<#if deployment.commit??>
Commit:     ${deployment.commit}
</#if>
</#if>
</#if>
<#if (deployment.page)?? || (deployment.siteUrl)?? || (project.page)??>

<#if (deployment.page)??>
Deployment page: ${deployment.page}
</#if>
<#if (deployment.siteUrl)??>
Site:            ${deployment.siteUrl}
<#elseif (project.page)??>
Project page:    ${project.page}
</#if>
</#if>

-- 
Sent by Miaobu<#if miaobuUrl??> at ${miaobuUrl}</#if> (${kind}, ${at}).
<#if kind == "test">
You get this because someone pressed "Send test" for this email channel.
<#else>
You get this because you subscribed to these notifications.
</#if>
