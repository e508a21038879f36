; Inno Setup script: a per-machine Windows install of the one-folder app built by
; installer/workbook.spec (run PyInstaller on Windows first; see docs/deployment.md).
;
;   iscc /DAppVersion=0.1.0 installer\workbook.iss      -> build\installer\Workbook-0.1.0-setup.exe
;
; Silent install for IT (documented in docs/deployment.md):
;   Workbook-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="C:\Temp\wb.log"
;   optional: /DIR="D:\Apps\Workbook"  /TASKS="desktopicon"  /NOICONS (no Start-menu group)
; Silent uninstall (vaults and keyring entries are never touched):
;   "C:\Program Files\Workbook\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C1F4E2A-7B39-4D8E-9A51-3F2B0C7D9E14}
AppName=Workbook
AppVersion={#AppVersion}
AppPublisher=Workbook
DefaultDirName={autopf}\Workbook
DefaultGroupName=Workbook
; Per machine: installed once under Program Files for every user of the shared PC.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\build\installer
OutputBaseFilename=Workbook-{#AppVersion}-setup
SetupIconFile=..\src\workbook\resources\icons\workbook.ico
UninstallDisplayIcon={app}\workbook-gui.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Upgrades replace the program folder in place; close a running Workbook first.
CloseApplications=yes
DisableProgramGroupPage=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "Create a &desktop shortcut"; Flags: unchecked

[Files]
; The whole one-folder build. Vaults live elsewhere (see docs/deployment.md), never here.
Source: "..\build\installer\dist\Workbook\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; Workbook's licence (Apache-2.0) at the top of the folder; the fonts' licences sit beside the
; fonts in _internal\workbook\resources\fonts.
Source: "..\LICENSE"; DestDir: "{app}"; DestName: "LICENSE.txt"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\Workbook"; Filename: "{app}\workbook-gui.exe"; WorkingDir: "{app}"
Name: "{autodesktop}\Workbook"; Filename: "{app}\workbook-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\workbook-gui.exe"; Description: "Start Workbook"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put there. Vault folders, backups and keyring entries stay.
Type: filesandordirs; Name: "{app}\_internal"
